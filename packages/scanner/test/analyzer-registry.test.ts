import type { ScanReport } from '@drydock/contract';
import { shared } from '@drydock/test-data';
import { describe, expect, it } from 'vitest';
import {
  ANALYZERS,
  type AnalyzerVersion,
  APP_ANALYZERS,
  formatAnalyzerVersions,
  mergeReanalysis,
  OS_ANALYZERS,
  openImage,
  parseAnalyzerVersions,
  planReanalysis,
  scanOpenedImage,
} from '../src/index.ts';

const bump = (name: string, analyzers: readonly AnalyzerVersion[] = ANALYZERS) =>
  analyzers.map((a) => (a.name === name ? { ...a, version: `${a.version}.1` } : a));
const appNames = APP_ANALYZERS.map((a) => a.name);

describe('analyzer registry', () => {
  it('lists every OS and application analyzer once, each with a version', () => {
    const names = ANALYZERS.map((a) => a.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(['os-release', ...OS_ANALYZERS.map((a) => a.name), ...appNames]);
    for (const a of ANALYZERS) expect(a.version).toMatch(/^[\w.+-]+$/);
    expect(parseAnalyzerVersions(formatAnalyzerVersions())).toEqual(ANALYZERS);
  });

  it('plans nothing for the same registry, and ignores entries of other kinds', () => {
    const stored = `${formatAnalyzerVersions()} malware:rules@0123456789ab`;
    expect(planReanalysis(stored)).toEqual({ kind: 'none' });
  });

  it('re-runs everything when an OS analyzer or the OS detection changed, or the record is unreadable', () => {
    for (const name of ['os-release', 'dpkg', 'rpm']) {
      expect(planReanalysis(formatAnalyzerVersions(bump(name)))).toEqual({ kind: 'full' });
    }
    expect(planReanalysis('1+rules.abc')).toEqual({ kind: 'full' });
    expect(planReanalysis('')).toEqual({ kind: 'full' });
  });

  it('re-runs a changed application analyzer and those after it, and keeps those before it', () => {
    const java = appNames.indexOf('java');
    expect(planReanalysis(formatAnalyzerVersions(bump('java')))).toEqual({
      kind: 'partial',
      run: appNames.slice(java),
      reuse: appNames.slice(0, java),
    });
    const last = appNames.at(-1) as string;
    expect(planReanalysis(formatAnalyzerVersions(bump(last)))).toEqual({
      kind: 'partial',
      run: [last],
      reuse: appNames.slice(0, -1),
    });
  });

  it('treats an analyzer added or removed since as a change at its place', () => {
    const withoutRuby = ANALYZERS.filter((a) => a.name !== 'ruby');
    const ruby = appNames.indexOf('ruby');
    // Stored before ruby existed: ruby and everything after it run.
    expect(planReanalysis(formatAnalyzerVersions(withoutRuby))).toEqual({
      kind: 'partial',
      run: appNames.slice(ruby),
      reuse: appNames.slice(0, ruby),
    });
    // Stored with an analyzer that is gone: its packages are not kept.
    const extra = [...ANALYZERS, { name: 'gone', version: '1', kind: 'app' as const }];
    expect(planReanalysis(formatAnalyzerVersions(extra))).toEqual({
      kind: 'partial',
      run: [],
      reuse: appNames,
    });
  });
});

const scan = async (file: string, appAnalyzers?: string[]) => {
  const image = await openImage(shared('images', file));
  try {
    return (await scanOpenedImage(image, appAnalyzers ? { appAnalyzers } : {})).report;
  } finally {
    await image.close();
  }
};

const sorted = <T>(items: T[]) => items.map((i) => JSON.stringify(i)).sort();

describe('partial re-analysis on real images', () => {
  for (const file of ['debian12-python-java.oci.tar', 'debian12-node-app.tar', 'go-binaries.tar']) {
    it(`${file}: re-running any application analyzer onwards and keeping the rest gives the full analysis`, async () => {
      const full: ScanReport = await scan(file);
      const found = new Set(full.packages.map((p) => p.foundBy));
      // Every package says which analyzer read it, and the image exercises application analyzers.
      expect(full.packages.every((p) => p.foundBy !== undefined)).toBe(true);
      expect(appNames.some((n) => found.has(n))).toBe(true);
      for (let i = 0; i < appNames.length; i++) {
        if (!found.has(appNames[i] as string) && i > 0) continue;
        const run = appNames.slice(i);
        const reuse = appNames.slice(0, i);
        const fresh = await scan(file, run);
        // The analyzers kept from before did not run.
        expect(fresh.packages.filter((p) => reuse.includes(p.foundBy ?? ''))).toEqual([]);
        const merged = mergeReanalysis(full, fresh, reuse);
        expect(merged.packages).toEqual(full.packages);
        expect(sorted(merged.warnings)).toEqual(sorted(full.warnings));
        expect(merged.layers).toEqual(full.layers);
      }
    }, 120_000);
  }

  it('with no application analyzer to run, only the OS packages are read again', async () => {
    const fresh = await scan('debian12-python-java.oci.tar', []);
    expect(new Set(fresh.packages.map((p) => p.foundBy))).toEqual(new Set(['dpkg']));
  });
});
