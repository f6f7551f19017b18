import {
  type Permission,
  type SessionInfo,
  SessionInfoSchema,
  SetupStatusSchema,
} from '@drydock/contract';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useState } from 'react';
import { Drawer } from '../../components/drawer.tsx';
import { NewPasswordField, TextField } from '../../components/field.tsx';
import { InlineError } from '../../components/states.tsx';
import { ApiError, request, send, setCsrfToken } from '../../lib/api-client.ts';

const SessionContext = createContext<SessionInfo | null>(null);
/** For tests and embedding: provides a session without signing in. */
export const SessionProvider = SessionContext.Provider;

/** The signed-in user and what they may do. */
export function useSession(): SessionInfo {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside AuthGate');
  return session;
}

export const useCan = (permission: Permission) => useSession().permissions.includes(permission);

async function loadSession(): Promise<SessionInfo | null> {
  try {
    const session = await request(SessionInfoSchema, '/api/v1/auth/session');
    setCsrfToken(session.csrfToken);
    return session;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

/**
 * Shows the console to a signed-in user; otherwise the sign-in form, or on first run the form
 * that creates the first administrator with the setup token.
 */
export function AuthGate({ children }: { children: ReactNode }) {
  const session = useQuery({ queryKey: ['session'], queryFn: loadSession, staleTime: 60_000 });
  const setup = useQuery({
    queryKey: ['setup'],
    queryFn: () => request(SetupStatusSchema, '/api/v1/setup'),
    enabled: session.data === null,
  });
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
  return <SessionContext.Provider value={session.data}>{children}</SessionContext.Provider>;
}

function useSignedIn() {
  const client = useQueryClient();
  return (info: SessionInfo) => {
    setCsrfToken(info.csrfToken);
    client.setQueryData(['session'], info);
  };
}

function LoginForm() {
  const signedIn = useSignedIn();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const login = useMutation({
    mutationFn: () => send(SessionInfoSchema, '/api/v1/auth/login', 'POST', { username, password }),
    onSuccess: signedIn,
  });
  return (
    <main className="auth-card">
      <h1>Drydock</h1>
      <form
        aria-label="Sign in"
        onSubmit={(e) => {
          e.preventDefault();
          login.mutate();
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
  const signedIn = useSignedIn();
  const [token, setToken] = useState('');
  const [username, setUsername] = useState('admin');
  const [password, setPassword] = useState('');
  const setup = useMutation({
    mutationFn: () =>
      send(SessionInfoSchema, '/api/v1/setup', 'POST', { token, username, password }),
    onSuccess: signedIn,
  });
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
          setup.mutate();
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
  const client = useQueryClient();
  const [changing, setChanging] = useState(false);
  const logout = useMutation({
    mutationFn: () => send(undefined, '/api/v1/auth/logout', 'POST'),
    onSettled: () => {
      setCsrfToken('');
      // Signed out: the session query says so, and nothing of the last user's data stays cached.
      client.setQueryData(['session'], null);
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'session' });
    },
  });
  return (
    <span className="user-menu">
      <span>
        {session.user.username} <span className="muted">({session.user.role})</span>
      </span>
      <button type="button" className="link light" onClick={() => setChanging(true)}>
        Change password
      </button>
      <button type="button" className="link light" onClick={() => logout.mutate()}>
        Sign out
      </button>
      {changing ? <ChangePassword onClose={() => setChanging(false)} /> : null}
    </span>
  );
}

/** One's own password: the current one, then the new one twice. Other sessions end. */
function ChangePassword({ onClose }: { onClose: () => void }) {
  const signedIn = useSignedIn();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const change = useMutation({
    mutationFn: () =>
      send(SessionInfoSchema, '/api/v1/auth/password', 'POST', {
        currentPassword: current,
        newPassword: next,
      }),
    onSuccess: signedIn,
  });
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
            if (!mismatch) change.mutate();
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
