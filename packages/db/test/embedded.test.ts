import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../src/embedded.ts';

describe('embedded PostgreSQL', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('keeps its data across a stop and a start, with generated credentials', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'drydock-embedded-'));
    dirs.push(dataDir);

    const first = await startEmbeddedPostgres({ dataDir, ephemeral: true });
    const a = new pg.Client({ connectionString: first.url });
    await a.connect();
    await a.query('CREATE TABLE kept (value text)');
    await a.query("INSERT INTO kept VALUES ('survives restarts')");
    await a.end();
    await first.stop();

    // The password is generated per installation and stored privately.
    const credentialsFile = path.join(dataDir, 'postgres-credentials.json');
    expect((await stat(credentialsFile)).mode & 0o777).toBe(0o600);
    const { password } = JSON.parse(await readFile(credentialsFile, 'utf8')) as {
      password: string;
    };
    expect(password.length).toBeGreaterThanOrEqual(24);

    const second = await startEmbeddedPostgres({ dataDir, ephemeral: true });
    try {
      expect(second.url).toContain(encodeURIComponent(password));
      const b = new pg.Client({ connectionString: second.url });
      await b.connect();
      const { rows } = await b.query('SELECT value FROM kept');
      await b.end();
      expect(rows).toEqual([{ value: 'survives restarts' }]);

      // Wrong password is refused: the server is not open to anyone on loopback.
      const url = new URL(second.url);
      url.password = 'wrong';
      const intruder = new pg.Client({ connectionString: url.toString() });
      await expect(intruder.connect()).rejects.toThrow(/password authentication failed/);
    } finally {
      await second.stop();
    }
  });

  // Run as root, PostgreSQL runs as the `postgres` user, who must reach the data folder through
  // every folder above it: a private parent (mode 0700, as mktemp -d makes) is opened for search.
  it.skipIf(process.getuid?.() !== 0)(
    'starts from a data folder under a private (0700) parent when run as root',
    async () => {
      const parent = await mkdtemp(path.join(os.tmpdir(), 'drydock-private-'));
      dirs.push(parent);
      expect((await stat(parent)).mode & 0o777).toBe(0o700);
      const db = await startEmbeddedPostgres({
        dataDir: path.join(parent, 'data'),
        ephemeral: true,
      });
      try {
        const client = new pg.Client({ connectionString: db.url });
        await client.connect();
        expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
        await client.end();
      } finally {
        await db.stop();
      }
      // Search permission only: others still cannot list it.
      expect((await stat(parent)).mode & 0o777).toBe(0o701);
    },
  );
});
