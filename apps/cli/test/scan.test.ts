import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { ScanReportSchema } from '@drydock/contract';
import { shared } from '@drydock/test-data';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.ts';

const root = path.resolve(import.meta.dirname, '../../..');
// An empty advisory cache: these tests are about the inventory.
const cacheDir = path.join(os.tmpdir(), `drydock-empty-cache-${process.pid}`);
const drydock = (...args: string[]) =>
  spawnSync('pnpm', ['--silent', 'drydock', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, DRYDOCK_CACHE_DIR: cacheDir },
  });

describe('pnpm --silent drydock scan', () => {
  it('prints the JSON contract on stdout and nothing else', () => {
    const result = drydock('scan', shared('images', 'alpine-311.tar.gz'), '--format', 'json');
    expect(result.stderr).toMatch(/^drydock scan: no advisory database in .*\(inventory only\)\n$/);
    expect(result.status).toBe(0);
    const report = ScanReportSchema.parse(JSON.parse(result.stdout));
    expect(report.schemaVersion).toBe(1);
    expect(report.os).toMatchObject({ family: 'alpine', version: '3.11.5' });
    expect(report.packages).toHaveLength(14);
  });

  it('prints a table for people, with layers and packages', () => {
    const result = drydock('scan', shared('images', 'multiarch-oci'), '--platform', 'linux/arm64');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/Target: +.*multiarch-oci \(oci-layout, linux\/arm64\/v8\)/);
    expect(result.stdout).toMatch(/COPY --from=deb-arm64/);
    expect(result.stdout).toMatch(/^dumb-init +1\.2\.5-2 +deb +1$/m);
  });

  it('exits 3 with one clear line for unreadable input', () => {
    const result = drydock('scan', shared('images', 'README.md'));
    expect(result.status).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^drydock scan: .*README\.md: invalid tar header/);
  });

  it('exits 3 naming the available platforms when the wanted one is absent', () => {
    const result = drydock(
      'scan',
      shared('images', 'multiarch-oci'),
      '--platform',
      'linux/riscv64',
    );
    expect(result.status).toBe(3);
    expect(result.stderr).toMatch(/available: linux\/amd64, linux\/arm64\/v8/);
  });

  it('draws progress on stderr only when stderr is a terminal', async () => {
    const run = async (isTTY: boolean) => {
      let stderr = '';
      let stdout = '';
      const code = await runCli(
        ['scan', shared('images', 'go-binaries.tar'), '-f', 'json', '--cache-dir', cacheDir],
        {
          stdout: (t) => (stdout += t),
          stderr: (t) => (stderr += t),
          isTTY,
        },
      );
      return { code, stderr, stdout };
    };
    const tty = await run(true);
    expect(tty.code).toBe(0);
    expect(tty.stderr).toMatch(/reading layer 3\/3/);
    expect(JSON.parse(tty.stdout).layers).toHaveLength(3);
    const pipe = await run(false);
    expect(pipe.stderr).not.toMatch(/reading layer/);
  });

  it('exits 2 on usage errors', () => {
    expect(drydock('scan').status).toBe(2);
    expect(drydock('scan', 'x.tar', '--format', 'xml').stderr).toMatch(/unknown format 'xml'/);
  });
});
