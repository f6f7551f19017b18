import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  checkRegistry,
  discoverImages,
  MAX_PAGES,
  MAX_PLATFORMS,
  RegistryClient,
} from '../src/index.ts';
import { rejection } from './rejection.ts';

/**
 * A registry written to attack its client: every route is a trap a real hostile (or compromised)
 * registry could set. A second server on another port stands for "another host" and records
 * what reaches it.
 */
type Handler = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

async function listen(handler: Handler): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => handler(req, res, new URL(req.url ?? '/', 'http://x')));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const credentials = { username: 'scanner', password: 'registry-secret-value' };
const basic = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;

let other: { server: Server; origin: string };
const reachedOther: { url: string; authorization?: string }[] = [];
let hostile: { server: Server; origin: string };
let route: Handler = (_req, res) => res.end();

beforeAll(async () => {
  other = await listen((req, res) => {
    reachedOther.push({ url: req.url ?? '', authorization: req.headers.authorization });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token: 'stolen', repositories: ['evil'] }));
  });
  hostile = await listen((req, res, url) => route(req, res, url));
});
afterEach(() => {
  reachedOther.length = 0;
});
afterAll(async () => {
  for (const s of [other.server, hostile.server]) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

const json = (res: ServerResponse, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(200, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
const client = () => new RegistryClient({ url: hostile.origin, credentials, timeoutMs: 3000 });

describe('a hostile registry', () => {
  it('cannot send the credentials to a token realm on another origin over plain http', async () => {
    route = (_req, res) => {
      res.writeHead(401, {
        'www-authenticate': `Bearer realm="${other.origin}/token",service="x"`,
      });
      res.end();
    };
    const error = await rejection(client().ping());
    expect(error.code).toBe('egress_refused');
    expect(error.message).toContain('neither https nor the registry');
    expect(reachedOther).toEqual([]);
    // Through "Test connection" too: a clear reason, nothing sent.
    const check = await checkRegistry(client());
    expect(check).toMatchObject({ ok: false, code: 'egress_refused' });
    expect(reachedOther).toEqual([]);
  });

  it('cannot point a token realm at the cloud metadata address or a file', async () => {
    for (const realm of ['https://169.254.169.254/token', 'file:///etc/passwd']) {
      route = (_req, res) => {
        res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm}"` });
        res.end();
      };
      const error = await rejection(client().ping());
      expect(error.code).toBe('egress_refused');
    }
    const error = await rejection(
      (() => {
        route = (_req, res) => {
          res.writeHead(401, { 'www-authenticate': 'Bearer realm="https://169.254.169.254/t"' });
          res.end();
        };
        return client().ping();
      })(),
    );
    expect(error.message).toContain('169.254.169.254 is a link-local address');
  });

  it('cannot redirect to the metadata address, and redirects to another origin lose the credentials', async () => {
    const digest = `sha256:${'c'.repeat(64)}`;
    route = (req, res, url) => {
      if (req.headers.authorization !== basic) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="hostile"' });
        return res.end();
      }
      if (url.pathname.endsWith(`/blobs/${digest}`)) {
        res.writeHead(307, { location: 'http://169.254.169.254/latest/meta-data/iam' });
        return res.end();
      }
      if (url.pathname.includes('/blobs/')) {
        res.writeHead(302, { location: `${other.origin}/cdn/blob` });
        return res.end();
      }
      res.writeHead(404).end();
    };
    const c = client();
    const refused = await rejection(c.blobBuffer('x', digest));
    expect(refused.code).toBe('egress_refused');
    expect(refused.message).toContain('169.254.169.254 is a link-local address');
    // A CDN-style redirect is followed (the digest check then fails), without the credentials.
    const body = Buffer.from(JSON.stringify({ token: 'stolen', repositories: ['evil'] }));
    const otherDigest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
    expect(await c.blobBuffer('x', otherDigest)).toEqual(body);
    expect(reachedOther).toEqual([{ url: '/cdn/blob', authorization: undefined }]);
  });

  it('cannot lead pagination to another host, in circles, or on forever', async () => {
    route = (_req, res, url) => {
      if (url.pathname !== '/v2/_catalog') return json(res, {});
      json(
        res,
        { repositories: ['a'] },
        { link: `<${other.origin}/v2/_catalog?last=a>; rel="next"` },
      );
    };
    const elsewhere = await rejection(
      (async () => {
        for await (const _ of client().catalog()) {
          // drain
        }
      })(),
    );
    expect(elsewhere.code).toBe('egress_refused');
    expect(reachedOther).toEqual([]);

    route = (_req, res) =>
      json(res, { repositories: ['a'] }, { link: '</v2/_catalog?n=1>; rel="next"' });
    const loop = await rejection(discoverImages(client()));
    expect(loop.message).toContain('loops');

    let pages = 0;
    route = (_req, res, url) => {
      pages++;
      const n = Number(url.searchParams.get('last') ?? 0) + 1;
      json(res, { repositories: [`r${n}`] }, { link: `</v2/_catalog?last=${n}>; rel="next"` });
    };
    const endless = await rejection(discoverImages(client()));
    expect(endless.message).toContain(`more than ${MAX_PAGES} pages`);
    expect(pages).toBe(MAX_PAGES);
  }, 60_000);

  it('cannot make the client read thousands of platform manifests from one index', async () => {
    const bodies = new Map<string, string>();
    const manifests = Array.from({ length: 500 }, (_, i) => {
      const body = JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { digest: `sha256:${'0'.repeat(64)}`, size: 2 },
        layers: [],
        annotations: { n: String(i) },
      });
      const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
      bodies.set(digest, body);
      return {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest,
        platform: { os: 'linux', architecture: `arch${i}` },
      };
    });
    let manifestReads = 0;
    route = (_req, res, url) => {
      if (url.pathname === '/v2/x/tags/list') return json(res, { tags: ['t'] });
      const ref = url.pathname.split('/manifests/')[1];
      const type = { 'content-type': 'application/vnd.oci.image.index.v1+json' };
      if (ref === 't') {
        return json(res, { schemaVersion: 2, mediaType: type['content-type'], manifests }, type);
      }
      const body = ref ? bodies.get(ref) : undefined;
      if (!body) return res.writeHead(404).end();
      manifestReads++;
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
      res.end(body);
    };
    const problems: string[] = [];
    const images = await discoverImages(client(), {
      repositories: ['x'],
      onProblem: (p) => problems.push(p.message),
    });
    expect(manifestReads).toBe(MAX_PLATFORMS);
    expect(images).toHaveLength(MAX_PLATFORMS);
    expect(problems[0]).toBe(`index lists 500 images: only the first ${MAX_PLATFORMS} are read`);
  });

  it('never gets its internal error pages into the errors an analyst sees', async () => {
    route = (_req, res, url) => {
      if (url.pathname === '/v2/') {
        res.writeHead(500, { 'content-type': 'text/html' });
        return res.end('<html>db=postgres://admin:hunter2@10.0.0.5/prod stack trace</html>');
      }
      res.writeHead(404).end();
    };
    const error = await rejection(client().ping());
    expect(error.message).toBe(`${hostile.origin.slice(7)}: /v2/: HTTP 500`);
    route = (_req, res) => {
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          errors: [{ code: 'DENIED', message: 'no\u0007 access\nfor you '.repeat(40) }],
        }),
      );
    };
    const denied = await rejection(client().ping());
    expect(denied.code).toBe('forbidden');
    expect(denied.message).toMatch(
      /^127\.0\.0\.1:\d+: access to \/v2\/ denied \(403 DENIED: no access for you/,
    );
    expect([...denied.message].every((c) => c >= ' ' && c <= '~')).toBe(true);
    expect(denied.message.length).toBeLessThan(260);
  });
});
