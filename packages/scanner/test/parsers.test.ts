import { readFileSync } from 'node:fs';
import { shared } from '@drydock/test-data';
import { tarBuffer } from '@drydock/test-data/build-image';
import { describe, expect, it } from 'vitest';
import { parseApkInstalled } from '../src/analyzers/os/apk.ts';
import { dpkgAnalyzer } from '../src/analyzers/os/dpkg.ts';
import type { LayerContents } from '../src/image/read-layer.ts';
import { ImageFs } from '../src/index.ts';
import { TarParser } from '../src/tar/tar-parser.ts';

/** txtar: `-- name --` sections, as Trivy's test data uses. */
function txtar(text: string): Map<string, string> {
  const files = new Map<string, string>();
  const parts = text.split(/^-- (.+?) --$/m);
  for (let i = 1; i < parts.length; i += 2)
    files.set(parts[i] as string, (parts[i + 1] ?? '').replace(/^\n/, ''));
  return files;
}

function fsOf(files: Map<string, string>): ImageFs {
  const fs = new ImageFs();
  const layer: LayerContents = {
    entries: new Map(
      [...files].map(([p, c]) => [
        p,
        { path: p, type: 'file' as const, size: c.length, mode: 0o644, content: Buffer.from(c) },
      ]),
    ),
    whiteouts: [],
    opaqueDirs: [],
    digest: '',
    diffId: '',
    size: 0,
    compression: 'none',
  };
  fs.applyLayer(0, layer);
  return fs;
}

describe('dpkg status (Trivy analyzer test data)', () => {
  const read = (name: string) =>
    readFileSync(shared('fixtures', 'trivy-analyzer-testdata', 'dpkg', name), 'utf8');

  it('valid.txtar: every installed package, with source names and versions', async () => {
    const packages = await dpkgAnalyzer.collect(fsOf(txtar(read('valid.txtar'))), () => {});
    const text = txtar(read('valid.txtar')).get('var/lib/dpkg/status') ?? '';
    const installed = text.split('\n\n').filter((p) => /^Status: .* installed$/m.test(p)).length;
    expect(packages.length).toBe(installed);
    expect(packages.length).toBeGreaterThan(50);
    const libc = packages.find((p) => p.name === 'libc6');
    expect(libc?.sourceName).toBe('glibc');
  });

  it('third-party.txtar: Source with an explicit version in parentheses', async () => {
    const packages = await dpkgAnalyzer.collect(fsOf(txtar(read('third-party.txtar'))), () => {});
    for (const p of packages) expect(p.sourceVersion).toBeTruthy();
    const withSourceVersion = packages.find((p) => p.sourceVersion !== p.version);
    if (withSourceVersion) expect(withSourceVersion.sourceName).not.toContain('(');
  });

  it('corrupsed.txtar: a damaged status file does not crash the analyzer', async () => {
    const warnings: unknown[] = [];
    const packages = await dpkgAnalyzer.collect(fsOf(txtar(read('corrupsed.txtar'))), (w) =>
      warnings.push(w),
    );
    expect(Array.isArray(packages)).toBe(true);
    for (const p of packages) {
      expect(p.name).toBeTruthy();
      expect(p.version).toBeTruthy();
    }
  });
});

describe('apk installed database (Trivy analyzer test data)', () => {
  it('reads packages, origins and owned files', () => {
    const packages = parseApkInstalled(
      readFileSync(shared('fixtures', 'trivy-analyzer-testdata', 'apk', 'apk'), 'utf8'),
    );
    expect(packages.length).toBeGreaterThan(5);
    const musl = packages.find((p) => p.name === 'musl');
    expect(musl?.sourceName).toBe('musl');
    expect(musl?.ownedFiles.some((f) => f.startsWith('lib/'))).toBe(true);
  });
});

describe('tar parser', () => {
  const entries = (data: Buffer, chunk = 7) => {
    const seen: { name: string; type: string; content: string }[] = [];
    const parser = new TarParser((entry) => {
      const parts: Buffer[] = [];
      const record = { name: entry.name, type: entry.type, content: '' };
      seen.push(record);
      return {
        data: (c) => parts.push(Buffer.from(c)),
        end: () => (record.content = Buffer.concat(parts).toString()),
      };
    });
    for (let i = 0; i < data.length; i += chunk) parser.write(data.subarray(i, i + chunk));
    parser.end();
    return seen;
  };

  it('reads entries fed in tiny chunks, with PAX long names', () => {
    const long = `app/${'node_modules/'.repeat(12)}deep/package.json`;
    const data = tarBuffer([
      { path: 'etc', type: 'dir' },
      { path: long, content: '{"name":"deep"}' },
      { path: 'bin/sh', type: 'symlink', linkname: 'busybox' },
    ]);
    expect(entries(data)).toEqual([
      { name: 'etc', type: 'directory', content: '' },
      { name: long, type: 'file', content: '{"name":"deep"}' },
      { name: 'bin/sh', type: 'symlink', content: '' },
    ]);
  });

  it('reports a stream cut inside an entry', () => {
    const data = tarBuffer([{ path: 'a.txt', content: 'x'.repeat(2000) }]);
    expect(() => entries(data.subarray(0, 1200))).toThrow(
      /tar stream truncated at byte 1200 \(inside an entry\)/,
    );
  });
});
