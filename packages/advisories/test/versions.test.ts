import { readFileSync } from 'node:fs';
import { shared } from '@drydock/test-data';
import { describe, expect, it } from 'vitest';
import { COMPARATORS, type VersionScheme } from '../src/versions/index.ts';

function vectors(file: string): [string, string, string][] {
  const out: [string, string, string][] = [];
  for (const line of readFileSync(shared('version-vectors', file), 'utf8').split('\n')) {
    if (line.trim() === '' || line.startsWith('# ') || line.startsWith('// ')) continue;
    const parts = line.split(' ');
    if (parts.length !== 3) throw new Error(`bad vector line in ${file}: ${line}`);
    out.push(parts as [string, string, string]);
  }
  return out;
}

const FILES: [VersionScheme, string[]][] = [
  ['dpkg', ['debian-versions.txt', 'debian-versions-generated.txt']],
  ['rpm', ['redhat-versions.txt']],
  ['apk', ['alpine-versions.txt', 'alpine-versions-generated.txt']],
  ['semver', ['semver-versions.txt']],
  ['pep440', ['pypi-versions.txt', 'pypi-versions-generated.txt']],
  ['maven', ['maven-versions.txt', 'maven-versions-generated.txt']],
  ['rubygems', ['rubygems-versions.txt', 'rubygems-versions-generated.txt']],
  ['nuget', ['nuget-versions.txt']],
  ['packagist', ['packagist-versions.txt', 'packagist-versions-generated.txt']],
  ['pub', ['pub-versions.txt']],
  ['dotted', ['hackage-versions.txt', 'cran-versions.txt', 'cran-versions-generated.txt']],
];

const expectedSign = { '<': -1, '=': 0, '>': 1 } as const;

describe('version comparators against the osv-scalibr vectors', () => {
  it.each(FILES)('%s', (scheme, files) => {
    const compare = COMPARATORS[scheme];
    const failures: string[] = [];
    let count = 0;
    for (const file of files) {
      for (const [a, op, b] of vectors(file)) {
        count++;
        const want = expectedSign[op as keyof typeof expectedSign];
        const got = Math.sign(compare(a, b));
        const back = Math.sign(compare(b, a));
        if (got !== want || back !== -want)
          failures.push(`${file}: ${a} ${op} ${b} (got ${got}, reverse ${back})`);
      }
    }
    // The suite lists every failure.
    expect(failures.slice(0, 50), `${failures.length} of ${count} failed`).toEqual([]);
    expect(count).toBeGreaterThan(10);
  });
});
