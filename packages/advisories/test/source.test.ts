import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdvisoryDb,
  advisoryMirrorRoots,
  checkImportSource,
  importAdvisories,
} from '../src/index.ts';

let dir: string;
let mirror: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-source-'));
  mirror = path.join(dir, 'mirror');
  await mkdir(path.join(mirror, 'osv'), { recursive: true });
  await writeFile(path.join(dir, 'outside.json'), '{}');
  await symlink(dir, path.join(mirror, 'escape'));
  await symlink(path.join(dir, 'outside.json'), path.join(mirror, 'osv', 'linked.json'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

describe('server-side import sources', () => {
  it('reads folders under the mirror roots only, symbolic links resolved', async () => {
    const policy = { roots: [mirror] };
    await expect(checkImportSource(mirror, policy)).resolves.toBeUndefined();
    await expect(checkImportSource(path.join(mirror, 'osv'), policy)).resolves.toBeUndefined();
    for (const source of [
      '/etc',
      '/etc/passwd',
      dir,
      path.join(mirror, '..', 'outside.json'),
      path.join(mirror, 'escape'),
      path.join(mirror, 'escape', 'outside.json'),
    ]) {
      await expect(checkImportSource(source, policy)).rejects.toThrow(
        /outside the advisory mirror folders/,
      );
    }
    await expect(checkImportSource('relative/osv', policy)).rejects.toThrow(/absolute path/);
    await expect(checkImportSource('/no/such/dir', policy)).rejects.toThrow(/no such file/);
  });

  it('fetches http(s) mirrors but not loopback, link-local, other schemes or URLs with credentials', async () => {
    const policy = { roots: [] };
    await expect(checkImportSource('https://osv.example.com/osv', policy)).resolves.toBeUndefined();
    await expect(checkImportSource('http://10.1.2.3/mirror', policy)).resolves.toBeUndefined();
    for (const [source, reason] of [
      ['http://127.0.0.1:8080/api/v1/users', /loopback/],
      ['http://localhost/osv', /loopback/],
      ['http://[::1]/osv', /loopback/],
      ['http://169.254.169.254/latest/meta-data', /link-local/],
      ['http://0.0.0.0:5432/', /unspecified/],
      ['ftp://mirror.example.com/osv', /http and https only/],
      ['https://user:pw@mirror.example.com/osv', /credentials/],
    ] as const) {
      await expect(checkImportSource(source, policy)).rejects.toThrow(reason);
    }
  });

  it('skips symbolic links inside a mirror instead of following them', async () => {
    const cache = await mkdtemp(path.join(os.tmpdir(), 'drydock-advdb-'));
    try {
      const report = await importAdvisories(
        await AdvisoryDb.open(cache),
        path.join(mirror, 'osv'),
        {
          policy: { roots: [mirror] },
        },
      );
      expect(report.warnings).toEqual([
        expect.stringMatching(/linked\.json: symbolic link, skipped/),
      ]);
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  });

  it('stops a download past its size cap, with or without a Content-Length', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/declared.zip') {
        res.writeHead(200, { 'content-length': String(10 * 1024 * 1024) });
        res.end();
        return;
      }
      // Endless body: it must be cut off, not buffered.
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 1);
      const pump = () => {
        while (res.write(chunk)) {
          // fill the socket
        }
      };
      res.on('drain', pump);
      pump();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const cache = await mkdtemp(path.join(os.tmpdir(), 'drydock-advdb-'));
    try {
      const db = await AdvisoryDb.open(cache);
      for (const file of ['declared.zip', 'endless.zip']) {
        await expect(
          importAdvisories(db, `${base}/${file}`, { maxDownloadBytes: 1024 * 1024 }),
        ).rejects.toThrow(/larger than 1048576 bytes/);
      }
    } finally {
      server.closeAllConnections();
      server.close();
      await rm(cache, { recursive: true, force: true });
    }
  });

  it('takes its roots from DRYDOCK_ADVISORY_MIRRORS, else <data dir>/advisories', () => {
    expect(advisoryMirrorRoots('/srv/a:/srv/b, /srv/c', '/data')).toEqual([
      '/srv/a',
      '/srv/b',
      '/srv/c',
    ]);
    expect(advisoryMirrorRoots(undefined, '/data')).toEqual(['/data/advisories']);
  });
});
