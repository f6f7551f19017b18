import { createPrismaClient, type PrismaClient } from '@drydock/db';
import { createTestDatabase, type TestDatabase } from '@drydock/db/testing';
import { createYaraEngine, loadRuleSet, type RuleSet, type YaraEngine } from '@drydock/malware';
import { ANALYZERS, APP_ANALYZERS, formatAnalyzerVersions, openImage } from '@drydock/scanner';
import { shared } from '@drydock/test-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Analyzer,
  analyzeImage,
  analyzerVersion,
  malwareVersion,
} from '../src/scan/analyze.ts';
import { DEFAULT_LIMITS } from '../src/worker.ts';

// debian12-node-app and debian12-python-java are built FROM the same debian:12 image: their
// first layer has the same diffID, the rest differ.
describe('malware results cached per layer in PostgreSQL', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let engine: YaraEngine;
  let rules: RuleSet;
  let analyzer: Analyzer;

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = createPrismaClient(db.url);
    rules = loadRuleSet();
    engine = await createYaraEngine(rules.source, { threads: 1 });
    analyzer = { engine, rules, limits: DEFAULT_LIMITS, version: analyzerVersion(rules) };
  });
  afterAll(async () => {
    await engine?.close();
    await prisma?.$disconnect();
    await db?.drop();
  });

  const analyze = async (file: string, a: Analyzer = analyzer) => {
    const image = await openImage(shared('images', file));
    try {
      return {
        analysis: await analyzeImage(prisma, a, image),
        diffIds: image.layers.map((l) => l.diffId),
      };
    } finally {
      await image.close();
    }
  };

  it('scans a base layer shared by two images once, and the second image gets its results', async () => {
    const node = await analyze('debian12-node-app.tar');
    expect(node.analysis.cacheHit).toBe(false);
    expect(node.analysis.malwareLayersCached).toBe(0);
    const stored = await prisma.layerMalwareCache.findMany({ select: { diffId: true } });
    expect(stored.map((r) => r.diffId).sort()).toEqual([...new Set(node.diffIds)].sort());

    // The shared base layer's stored result is what the next image gets: plant a sample in it.
    const base = node.diffIds[0] as string;
    const planted = {
      name: 'Planted_Test_Sample',
      category: 'Engtest',
      severity: 'notice',
      path: 'usr/share/planted.txt',
      sha256: 'a'.repeat(64),
      md5: 'b'.repeat(32),
      size: 1,
      matchedRules: ['Planted_Test_Sample'],
      reason: 'planted by the test',
      references: [],
    };
    const row = await prisma.layerMalwareCache.findFirstOrThrow({ where: { diffId: base } });
    await prisma.layerMalwareCache.update({
      where: { key: row.key },
      data: { result: { samples: [planted], skipped: [] } },
    });

    const python = await analyze('debian12-python-java.oci.tar');
    expect(python.diffIds[0]).toBe(base);
    expect(python.analysis.cacheHit).toBe(false);
    expect(python.analysis.malwareLayersCached).toBe(1);
    expect(python.analysis.report.maliciousSamples).toEqual([
      expect.objectContaining({ path: 'usr/share/planted.txt', layerIndex: 0, layerDiffId: base }),
    ]);
    expect(await prisma.layerMalwareCache.count()).toBe(
      new Set([...node.diffIds, ...python.diffIds]).size,
    );

    // A new rule set does not reuse them: the base layer is scanned again; the packages,
    // analyzed by the same analyzers, are kept (no application analyzer runs).
    const other = await analyze('debian12-python-java.oci.tar', {
      ...analyzer,
      version: `${formatAnalyzerVersions()} malware:rules@next`,
      malwareVersion: 'malware:rules@next',
    });
    expect(other.analysis.cacheHit).toBe(false);
    expect(other.analysis.reanalysis).toEqual({ kind: 'none' });
    expect(other.analysis.malwareLayersCached).toBe(0);
    expect(other.analysis.report.maliciousSamples).toEqual([]);
    expect(other.analysis.report.packages).toEqual(python.analysis.report.packages);
  }, 120_000);

  it('after an application analyzer changed, re-analyzes only what it reads and keeps the rest', async () => {
    const file = 'debian12-python-java.oci.tar';
    // An analysis stored by an older build, whose java analyzer had another version.
    const older = ANALYZERS.map((a) => (a.name === 'java' ? { ...a, version: 'old' } : a));
    const version = `${formatAnalyzerVersions(older)} ${malwareVersion(rules)}`;
    const first = await analyze(file, { ...analyzer, version });
    const stored = await prisma.analysisCache.findUniqueOrThrow({
      where: { key: first.analysis.key },
    });
    expect(stored.analyzerVersion).toBe(version);

    // This build: java and the analyzers after it run again, the ones before it are kept.
    const again = await analyze(file);
    expect(again.analysis.cacheHit).toBe(false);
    const names = APP_ANALYZERS.map((a) => a.name);
    const java = names.indexOf('java');
    expect(again.analysis.reanalysis).toEqual({
      kind: 'partial',
      run: names.slice(java),
      reuse: names.slice(0, java),
    });
    // Malware results are per layer and the rules did not change: no layer is scanned again.
    expect(again.analysis.malwareLayersCached).toBe(new Set(again.diffIds).size);
    // The same inventory as a full analysis: python packages kept, jars read again.
    const full = await analyze(file, { ...analyzer, cache: false });
    expect(again.analysis.report.packages).toEqual(full.analysis.report.packages);
    expect(again.analysis.report.packages.some((p) => p.foundBy === 'python')).toBe(true);
    expect(again.analysis.report.packages.some((p) => p.foundBy === 'java')).toBe(true);
    // The entry now records this build's versions: the next scan is a hit.
    const updated = await prisma.analysisCache.findUniqueOrThrow({
      where: { key: first.analysis.key },
    });
    expect(updated.analyzerVersion).toBe(analyzer.version);
    expect((await analyze(file)).analysis.cacheHit).toBe(true);
  }, 120_000);
});
