import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { shared } from './index.ts';

/**
 * The public advisory feeds, served on loopback from the shared data as the real services lay
 * them out: the OSV bucket (`/osv/<Ecosystem>/all.zip`), the CISA KEV JSON feed
 * (`/kev/known_exploited_vulnerabilities.json`) and the CVE record service (`/cve/<CVE id>`,
 * 404 for an id the shared CVE List sample does not hold). Counts requests per kind.
 */
export async function serveAdvisoryFeeds(options: { failCve?: (id: string) => boolean } = {}) {
  const requests = { osv: 0, kev: 0, cve: 0 };
  const server = createServer(async (req, res) => {
    const url = decodeURIComponent(req.url ?? '');
    let file: string | undefined;
    const osv = /^\/osv\/([^/]+)\/all\.zip$/.exec(url)?.[1];
    const cve = /^\/cve\/(CVE-\d{4}-\d+)$/.exec(url)?.[1];
    if (osv) {
      requests.osv++;
      file = path.join(shared('advisories', 'osv'), path.basename(osv), 'all.zip');
    } else if (url === '/kev/known_exploited_vulnerabilities.json') {
      requests.kev++;
      file = shared('advisories', 'kev', 'known_exploited_vulnerabilities.json');
    } else if (cve) {
      requests.cve++;
      if (options.failCve?.(cve)) {
        res.writeHead(503);
        res.end();
        return;
      }
      file = path.join(shared('advisories', 'nvd'), `${cve}.json`);
    }
    const data = file ? await readFile(file).catch(() => undefined) : undefined;
    if (!data) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-length': data.length, 'content-type': 'application/json' });
    res.end(data);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const base = `http://127.0.0.1:${port}`;
  return {
    osv: `${base}/osv`,
    kev: `${base}/kev/known_exploited_vulnerabilities.json`,
    cve: `${base}/cve/{id}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
