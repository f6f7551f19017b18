import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

// End-to-end tests run the real stack (`scripts/start.mjs`: embedded PostgreSQL, API serving the
// built console, worker) on a throw-away data folder, in Debian's Chromium.
const port = Number(process.env.E2E_PORT ?? 18123);
// Shared with the worker processes (they inherit the environment): specs read the setup token.
const dataDir = process.env.E2E_DATA_DIR ?? path.join(os.tmpdir(), `drydock-e2e-${process.pid}`);
process.env.E2E_DATA_DIR = dataDir;
// The only folder the server may import advisories from (the specs import the shared mirror).
// A real OpenID Connect provider (oidc-provider) that global-setup starts on this port.
const oidcPort = Number(process.env.E2E_OIDC_PORT ?? port + 7);
process.env.E2E_OIDC_PORT = String(oidcPort);
process.env.E2E_BASE_URL = `http://127.0.0.1:${port}`;
const advisoryMirror = path.resolve(
  process.env.DRYDOCK_SHARED_DIR ?? path.resolve(import.meta.dirname, '../shared'),
  'advisories',
);

export default defineConfig({
  testDir: 'apps/web/e2e',
  globalSetup: './apps/web/e2e/global-setup.ts',
  timeout: 180_000,
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  workers: 1,
  reporter: [['list'], ['json', { outputFile: '.test-output/playwright.json' }]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: 'retain-on-failure',
    viewport: { width: 1920, height: 1080 },
    permissions: ['clipboard-read', 'clipboard-write'],
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
      ],
    },
  },
  webServer: {
    command: `rm -rf ${dataDir} && node scripts/start.mjs`,
    url: `http://127.0.0.1:${port}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    gracefulShutdown: { signal: 'SIGTERM', timeout: 20_000 },
    env: {
      PORT: String(port),
      DRYDOCK_DATA_DIR: dataDir,
      // Offline machine: no scheduled refresh from the public OSV bucket.
      DRYDOCK_ADVISORY_REFRESH: 'off',
      DRYDOCK_ADVISORY_MIRRORS: advisoryMirror,
      LOG_LEVEL: 'warn',
      DRYDOCK_OIDC_ISSUER: `http://127.0.0.1:${oidcPort}`,
      DRYDOCK_OIDC_CLIENT_ID: 'drydock',
      DRYDOCK_OIDC_CLIENT_SECRET: 'drydock-test-client-secret',
      DRYDOCK_OIDC_SCOPES: 'openid profile email groups',
      DRYDOCK_OIDC_LABEL: 'Example SSO',
      DRYDOCK_OIDC_ROLES: 'groups:drydock-admins=admin; groups:analysts=analyst',
    },
  },
});
