import { SSO_ERRORS } from '@drydock/contract';
import { type ReactNode, useState } from 'react';
import { useChangePassword } from '../../api/auth/change-password.ts';
import { useCreateFirstAdmin } from '../../api/auth/create-first-admin.ts';
import { useSessionQuery } from '../../api/auth/get-session.ts';
import { useSetupStatus } from '../../api/auth/get-setup-status.ts';
import { useSsoStatus } from '../../api/auth/get-sso-status.ts';
import { useLogin } from '../../api/auth/login.ts';
import { useLogout } from '../../api/auth/logout.ts';
import { Drawer } from '../../components/drawer.tsx';
import { NewPasswordField, TextField } from '../../components/field.tsx';
import { InlineError } from '../../components/states.tsx';
import { SessionProvider, useSession } from '../../lib/session.tsx';

/**
 * Shows the console to a signed-in user; otherwise the sign-in form, or on first run the form
 * that creates the first administrator with the setup token.
 */
export function AuthGate({ children }: { children: ReactNode }) {
  const session = useSessionQuery();
  const setup = useSetupStatus(session.data === null);
  if (session.isPending || (session.data === null && setup.isPending)) {
    return <p className="auth-loading">Loading…</p>;
  }
  if (session.error) {
    return (
      <div className="auth-card" role="alert">
        Could not reach the API: {String(session.error)}{' '}
        <button type="button" onClick={() => session.refetch()}>
          Retry
        </button>
      </div>
    );
  }
  if (!session.data) return setup.data?.needed ? <SetupForm /> : <LoginForm />;
  return <SessionProvider value={session.data}>{children}</SessionProvider>;
}

/** `/?sso_error=<code>`: why the identity provider's sign-in was refused (read once). */
function takeSsoError(): string | undefined {
  const params = new URLSearchParams(window.location.search);
  const code = params.get('sso_error');
  if (!code) return undefined;
  params.delete('sso_error');
  const rest = params.toString();
  window.history.replaceState(null, '', `${window.location.pathname}${rest ? `?${rest}` : ''}`);
  return SSO_ERRORS[code] ?? `Single sign-on failed (${code}).`;
}

function LoginForm() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [ssoError] = useState(takeSsoError);
  const sso = useSsoStatus();
  const login = useLogin();
  return (
    <main className="auth-card">
      <h1>Drydock</h1>
      {sso.data?.enabled ? (
        <div className="sso">
          <a className="button primary" href="/api/v1/auth/oidc/login">
            Sign in with {sso.data.label}
          </a>
          <p className="muted">or with a local account:</p>
        </div>
      ) : null}
      {ssoError ? (
        <p role="alert" className="error">
          {ssoError}
        </p>
      ) : null}
      <form
        aria-label="Sign in"
        onSubmit={(e) => {
          e.preventDefault();
          login.mutate({ username, password });
        }}
      >
        <TextField
          label="User name"
          value={username}
          onChange={setUsername}
          autoComplete="username"
          required
        />
        <TextField
          label="Password"
          type="password"
          value={password}
          onChange={setPassword}
          autoComplete="current-password"
          required
        />
        <button type="submit" className="primary" disabled={login.isPending}>
          Sign in
        </button>
        <InlineError error={login.error} />
      </form>
    </main>
  );
}

function SetupForm() {
  const [token, setToken] = useState('');
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const setup = useCreateFirstAdmin();
  return (
    <main className="auth-card">
      <h1>Create the first administrator</h1>
      <p className="muted">
        The setup token is in the API log and in <code>&lt;data dir&gt;/setup-token</code> (default{' '}
        <code>.drydock/setup-token</code>). It works once.
      </p>
      <form
        aria-label="Create administrator"
        onSubmit={(e) => {
          e.preventDefault();
          setup.mutate({ token, username, password });
        }}
      >
        <TextField
          label="Setup token"
          value={token}
          onChange={(v) => setToken(v.trim())}
          required
        />
        <TextField
          label="User name"
          value={username}
          onChange={setUsername}
          autoComplete="username"
          required
        />
        <NewPasswordField
          label="Password (at least 12 characters)"
          value={password}
          onChange={setPassword}
          required
        />
        <button type="submit" className="primary" disabled={setup.isPending}>
          Create administrator
        </button>
        <InlineError error={setup.error} />
      </form>
    </main>
  );
}

export function UserMenu() {
  const session = useSession();
  const [changing, setChanging] = useState(false);
  const logout = useLogout();
  return (
    <span className="user-menu">
      <span>
        {session.user.username} <span className="muted">({session.user.role})</span>
      </span>
      {session.user.sso ? null : (
        <button type="button" className="link light" onClick={() => setChanging(true)}>
          Change password
        </button>
      )}
      <button type="button" className="link light" onClick={() => logout.mutate()}>
        Sign out
      </button>
      {changing ? <ChangePassword onClose={() => setChanging(false)} /> : null}
    </span>
  );
}

/** One's own password: the current one, then the new one twice. Other sessions end. */
function ChangePassword({ onClose }: { onClose: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const change = useChangePassword();
  const mismatch = again.length > 0 && again !== next;
  return (
    <Drawer title="Change password" onClose={onClose}>
      {change.isSuccess ? (
        <>
          <p role="status">Password changed. Your other sessions have been signed out.</p>
          <button type="button" onClick={onClose}>
            Close
          </button>
        </>
      ) : (
        <form
          className="form-card"
          aria-label="Change password"
          onSubmit={(e) => {
            e.preventDefault();
            if (!mismatch) change.mutate({ currentPassword: current, newPassword: next });
          }}
        >
          <TextField
            label="Current password"
            type="password"
            value={current}
            onChange={setCurrent}
            autoComplete="current-password"
            required
            data-autofocus
          />
          <NewPasswordField
            label="New password (at least 12 characters)"
            value={next}
            onChange={setNext}
            required
          />
          <TextField
            label="New password again"
            type="password"
            value={again}
            onChange={setAgain}
            autoComplete="new-password"
            required
            aria-invalid={mismatch}
          />
          {mismatch ? <p className="inline-error">The two new passwords differ.</p> : null}
          <div className="actions">
            <button type="submit" className="primary" disabled={change.isPending || mismatch}>
              Change password
            </button>
          </div>
          <InlineError error={change.error} />
        </form>
      )}
    </Drawer>
  );
}
