import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { createPrivateKey, randomUUID, sign } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import bcrypt from 'bcryptjs';

const run = promisify(execFile);

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface TestRegistry {
  url: string;
  /** host:port, as skopeo and image references want it. */
  host: string;
  credentials?: { username: string; password: string };
  /** Requests the token service answered (bearer mode). */
  tokenRequests: { scope: string[]; authorized: boolean }[];
  /** Copies an image (`docker-archive:…`, `oci-archive:…`, `oci:DIR:TAG`) to `path:tag`. */
  push(source: string, reference: string): Promise<void>;
  stop(): Promise<void>;
}

export type RegistryAuth = 'none' | 'basic' | 'bearer';

function need(binary: string, pkg: string) {
  if (spawnSync('which', [binary]).status !== 0) {
    throw new Error(`${binary} is not installed (apt-get install -y ${pkg})`);
  }
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/**
 * A token service per the Docker Registry v2 token spec, for the registry's `auth.token` mode:
 * checks Basic credentials, grants pull/push on the requested scopes, signs an ES256 JWT whose
 * x5c header carries the certificate the registry trusts (its rootcertbundle). It answers
 * `/token` and passes every other request on to the registry at `upstreamPort`, so the realm is
 * on the registry's own origin (as with Harbor's `/service/token`): credentials only ever go to
 * the registry's origin or an https realm.
 */
async function startTokenService(
  dir: string,
  service: string,
  credentials: { username: string; password: string },
  log: TestRegistry['tokenRequests'],
  upstreamPort: number,
): Promise<{ realm: string; certFile: string; server: Server; port: number }> {
  need('openssl', 'openssl');
  const keyFile = path.join(dir, 'token.key');
  const certFile = path.join(dir, 'token.crt');
  await run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', keyFile]);
  await run('openssl', [
    'req',
    '-new',
    '-x509',
    '-key',
    keyFile,
    '-out',
    certFile,
    '-days',
    '2',
    '-subj',
    '/CN=drydock-test-token',
  ]);
  const key = createPrivateKey(await readFile(keyFile));
  const certDer = Buffer.from(
    (await readFile(certFile, 'utf8')).replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''),
    'base64',
  );
  const expected = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/token') {
      const upstream = request(
        {
          host: '127.0.0.1',
          port: upstreamPort,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
      return;
    }
    const scopes = url.searchParams.getAll('scope');
    const authorized = req.headers.authorization === expected;
    log.push({ scope: scopes, authorized });
    if (!authorized) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ details: 'bad credentials' }));
      return;
    }
    const access = scopes.map((s) => {
      const [type, name, actions] = s.split(':');
      return { type, name, actions: (actions ?? '').split(',') };
    });
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'ES256', typ: 'JWT', x5c: [certDer.toString('base64')] };
    const claims = {
      iss: 'drydock-test-issuer',
      sub: credentials.username,
      aud: service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const unsigned = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const signature = sign('sha256', Buffer.from(unsigned), { key, dsaEncoding: 'ieee-p1363' });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token: `${unsigned}.${b64url(signature)}`, expires_in: 300 }));
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { realm: `http://127.0.0.1:${port}/token`, certFile, server, port };
}

/**
 * Starts a real Docker Registry v2 (Debian's docker-registry) on a free loopback port, storage in
 * a temporary folder; optionally with htpasswd Basic auth or token auth backed by a local token
 * service. .ci/run installs the packages; without them this fails with a clear message.
 */
export async function startRegistry(
  options: {
    auth?: RegistryAuth;
    /** Listen on this port (to name the registry before it starts). */
    port?: number;
    /** Send push notifications (Docker Distribution `notifications`) to this endpoint. */
    notify?: { url: string; authorization: string };
  } = {},
): Promise<TestRegistry> {
  need('docker-registry', 'docker-registry');
  const auth = options.auth ?? 'none';
  const dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-registry-'));
  const port = options.port ?? (await freePort());
  const notifyLines = options.notify
    ? [
        'notifications:',
        '  endpoints:',
        '    - name: drydock',
        `      url: ${options.notify.url}`,
        `      headers: { Authorization: [${JSON.stringify(options.notify.authorization)}] }`,
        '      timeout: 2s',
        '      threshold: 3',
        '      backoff: 500ms',
        '      ignoredmediatypes: [application/octet-stream]',
      ]
    : [];
  const credentials =
    auth === 'none' ? undefined : { username: 'scanner', password: `pw-${randomUUID()}` };
  const tokenRequests: TestRegistry['tokenRequests'] = [];
  let tokenServer: Server | undefined;
  let frontPort = port;
  const authLines: string[] = [];
  if (auth === 'basic' && credentials) {
    const htpasswd = path.join(dir, 'htpasswd');
    await writeFile(
      htpasswd,
      `${credentials.username}:${bcrypt.hashSync(credentials.password, 8)}\n`,
    );
    authLines.push('auth:', `  htpasswd: { realm: drydock-test, path: ${htpasswd} }`);
  } else if (auth === 'bearer' && credentials) {
    const token = await startTokenService(dir, 'drydock-test', credentials, tokenRequests, port);
    tokenServer = token.server;
    frontPort = token.port;
    authLines.push(
      'auth:',
      '  token:',
      `    realm: ${token.realm}`,
      '    service: drydock-test',
      '    issuer: drydock-test-issuer',
      `    rootcertbundle: ${token.certFile}`,
    );
  }
  const config = path.join(dir, 'config.yml');
  await writeFile(
    config,
    [
      'version: 0.1',
      'log: { level: error }',
      'storage:',
      `  filesystem: { rootdirectory: ${path.join(dir, 'data')} }`,
      '  delete: { enabled: true }',
      'http:',
      `  addr: 127.0.0.1:${port}`,
      ...authLines,
      ...notifyLines,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${frontPort}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const res = await fetch(`${url}/v2/`);
      if (res.status === 200 || res.status === 401) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`docker-registry did not start on ${url}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const host = `127.0.0.1:${frontPort}`;
  return {
    url,
    host,
    ...(credentials ? { credentials } : {}),
    tokenRequests,
    async push(source, reference) {
      need('skopeo', 'skopeo');
      const args = ['copy', '--quiet', '--all', '--dest-tls-verify=false'];
      if (credentials) args.push('--dest-creds', `${credentials.username}:${credentials.password}`);
      await run('skopeo', [...args, source, `docker://${host}/${reference}`], {
        maxBuffer: 16 * 1024 * 1024,
      });
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      tokenServer?.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
