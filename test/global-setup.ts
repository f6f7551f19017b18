// Starts one PostgreSQL for the whole test run and migrates a template database once; each test
// file then clones its own database from the template (see @drydock/db/testing).
// DRYDOCK_TEST_DATABASE_URL (a superuser URL) uses an existing server instead of the embedded one.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { applyMigrations, type EmbeddedDatabase, startEmbeddedPostgres } from '@drydock/db';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

const TEMPLATE = 'drydock_test_template';
let embedded: EmbeddedDatabase | undefined;
let tmpDir: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  let adminUrl = process.env.DRYDOCK_TEST_DATABASE_URL;
  if (!adminUrl) {
    tmpDir = await mkdtemp(path.join(os.tmpdir(), 'drydock-test-pg-'));
    embedded = await startEmbeddedPostgres({ dataDir: tmpDir, ephemeral: true });
    adminUrl = embedded.adminUrl;
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE}`);
  } finally {
    await admin.end();
  }
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${TEMPLATE}`;
  await applyMigrations(templateUrl.toString());
  const lock = new pg.Client({ connectionString: adminUrl });
  await lock.connect();
  try {
    // CREATE DATABASE ... TEMPLATE needs a template nobody is connected to.
    await lock.query(`ALTER DATABASE ${TEMPLATE} WITH ALLOW_CONNECTIONS false`);
    await lock.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [
      TEMPLATE,
    ]);
  } finally {
    await lock.end();
  }
  // Keys declared in packages/db/src/testing.ts (ProvidedContext), where inject() reads them.
  const provide = project.provide as (key: 'pgAdminUrl' | 'pgTemplate', value: string) => void;
  provide('pgAdminUrl', adminUrl);
  provide('pgTemplate', TEMPLATE);
}

export async function teardown(): Promise<void> {
  await embedded?.stop();
  if (tmpDir) await rm(tmpDir, { recursive: true, force: true });
}
