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
});
