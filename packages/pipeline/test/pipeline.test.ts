import { createYaraEngine, loadRuleSet } from '@drydock/malware';
import { shared } from '@drydock/test-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeFile } from '../src/index.ts';

describe('the scan pipeline', () => {
  const rules = loadRuleSet();
  let engine: Awaited<ReturnType<typeof createYaraEngine>>;
  beforeAll(async () => {
    engine = await createYaraEngine(rules.source, { threads: 1 });
  });
  afterAll(() => engine?.close());

  it('joins the inventory, the malware samples and the malware scan’s warnings in one report', async () => {
    const file = shared('images', 'malware-samples.tar');
    const full = await analyzeFile(file, { malware: { engine, rules } });
    expect(full.report.maliciousSamples?.length).toBeGreaterThan(0);
    expect(full.report.layers.length).toBeGreaterThan(0);
    // Files over the size limit are not silently dropped: the report says which were skipped.
    const capped = await analyzeFile(file, { malware: { engine, rules, maxFileSize: 64 } });
    expect(capped.report.warnings.some((w) => /not scanned for malware/.test(w.message))).toBe(
      true,
    );
    // Inventory only: no samples claimed.
    const bare = await analyzeFile(file);
    expect(bare.report.maliciousSamples).toBeUndefined();
    expect(bare.report.packages).toEqual(full.report.packages);
  });
});
