import type { SecretHit } from './secrets.ts';
import { isPlaceholder, lineAt, sha256Hex } from './text.ts';

const ROTATE =
  'Revoke the credential and issue a new one (anyone who can pull the image has it), then rebuild without the file: mount it at build time as a BuildKit secret (RUN --mount=type=secret) and at run time from a secret store; deleting it in a later layer does not remove it from the image.';

const file = (
  ruleId: string,
  title: string,
  category: string,
  secret: string,
  line: number | undefined,
): SecretHit => ({
  ruleId,
  source: 'drydock',
  title,
  category,
  priority: 'high',
  secret,
  ...(line !== undefined ? { line } : {}),
  fix: ROTATE,
  references: [],
});

const base = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** `key = value` lines (npmrc, pypirc): every value of the named keys, with its line. */
function assignments(text: string, key: RegExp): { value: string; line: number }[] {
  const out: { value: string; line: number }[] = [];
  const re = new RegExp(
    `^[ \\t]*(?:[^\\s=:#;]*:)?(?:${key.source})[ \\t]*[=:][ \\t]*(.+?)[ \\t]*$`,
    'gim',
  );
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const value = (m[1] ?? '').replace(/^["']|["']$/g, '');
    if (!isPlaceholder(value)) out.push({ value, line: lineAt(text, m.index) });
  }
  return out;
}

const isBinary = (data: Buffer) => data.subarray(0, 8000).includes(0);

/**
 * Credential files read by their format: `.netrc`, `.npmrc`, `.pypirc`, Docker's
 * `config.json`, `.git-credentials`, `.pgpass`, PKCS#12 key stores. `'binary'`: a binary file
 * that is none of these (pattern rules are not run on it).
 */
export function readCredentialFile(path: string, data: Buffer): SecretHit[] | 'binary' {
  const name = base(path);
  if (/\.(?:p12|pfx)$/i.test(name)) {
    // DER: a SEQUENCE; a PKCS#12 file usually holds a private key with its certificate.
    if (data[0] !== 0x30 || data.length < 64) return [];
    return [
      {
        ...file('pkcs12-keystore', 'PKCS#12 key store', 'Private key', '', undefined),
        priority: 'medium',
        sha256: sha256Hex(data),
        label: `PKCS#12 file, ${data.length} bytes`,
      },
    ];
  }
  if (isBinary(data)) return 'binary';
  const text = data.toString('latin1');
  if (name === '.netrc' || name === '_netrc') {
    const out: SecretHit[] = [];
    const re = /(?:^|\s)password\s+(\S+)/g;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const value = m[1] as string;
      if (!isPlaceholder(value))
        out.push(
          file(
            'netrc-password',
            '.netrc password',
            'Credential file',
            value,
            lineAt(text, m.index),
          ),
        );
    }
    return out;
  }
  if (name === '.npmrc' || name === 'npmrc') {
    return assignments(text, /_authToken|_auth|_password/).map((a) =>
      file('npmrc-auth', 'npm registry credential (.npmrc)', 'npm', a.value, a.line),
    );
  }
  if (name === '.pypirc') {
    return assignments(text, /password/).map((a) =>
      file('pypirc-password', 'Package index password (.pypirc)', 'PyPI', a.value, a.line),
    );
  }
  if (name === '.git-credentials') {
    const out: SecretHit[] = [];
    const re = /[a-z][a-z0-9+.-]*:\/\/[^:\s/@]*:([^@\s]+)@/gi;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const value = m[1] as string;
      if (!isPlaceholder(value))
        out.push(
          file(
            'git-credentials',
            'Git credential (.git-credentials)',
            'Credential file',
            value,
            lineAt(text, m.index),
          ),
        );
    }
    return out;
  }
  if (name === '.pgpass') {
    const out: SecretHit[] = [];
    for (const [i, line] of text.split('\n').entries()) {
      if (line.startsWith('#')) continue;
      const fields = line.split(/(?<!\\):/);
      const value = fields[4]?.trim();
      if (fields.length === 5 && value && !isPlaceholder(value))
        out.push(
          file('pgpass-password', 'PostgreSQL password (.pgpass)', 'Database', value, i + 1),
        );
    }
    return out;
  }
  if ((name === 'config.json' && path.endsWith('.docker/config.json')) || name === '.dockercfg') {
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      const auths = (parsed.auths ?? parsed) as Record<string, unknown>;
      const out: SecretHit[] = [];
      for (const [host, entry] of Object.entries(auths ?? {})) {
        if (!entry || typeof entry !== 'object') continue;
        const { auth, identitytoken, password } = entry as Record<string, unknown>;
        const value = [auth, identitytoken, password].find(
          (v): v is string => typeof v === 'string' && v.length > 0,
        );
        if (value)
          out.push(
            file(
              'docker-config-auth',
              `Registry credential for ${host.slice(0, 100)} (Docker config)`,
              'Docker',
              value,
              lineAt(text, Math.max(0, text.indexOf(value))),
            ),
          );
      }
      return out;
    } catch {
      return [];
    }
  }
  return [];
}
