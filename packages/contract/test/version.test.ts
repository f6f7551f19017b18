import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { VERSION } from '../src/index.ts';

it('says the version of the root package.json', () => {
  const pkg = JSON.parse(
    readFileSync(path.resolve(import.meta.dirname, '../../../package.json'), 'utf8'),
  ) as { version: string };
  expect(VERSION).toBe(pkg.version);
});
