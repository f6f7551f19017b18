import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../src/io.ts';

const root = path.resolve(import.meta.dirname, '../../..');
const drydock = (...args: string[]) =>
  spawnSync('pnpm', ['--silent', 'drydock', ...args], { cwd: root, encoding: 'utf8' });

describe('pnpm --silent drydock', () => {
  it('prints the version and nothing else on stdout', () => {
    const result = drydock('version');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${VERSION}\n`);
  });

  it('exits 2 with a clear message on an unknown command', () => {
    const result = drydock('frobnicate');
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^drydock: unknown command 'frobnicate'/);
  });
});
