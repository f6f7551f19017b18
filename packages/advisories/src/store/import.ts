import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { type EgressRules, safeFetch } from '@drydock/net';
import { ZipArchive } from '@drydock/zip';
import { OSV_ECOSYSTEMS_LOOKED_UP } from '../osv/ecosystems.ts';
import { isOsvRecord, type OsvRecord } from '../osv/types.ts';
import type { AdvisoryWriter, CveInfo } from './advisory-db.ts';
import { checkImportSource, MIRROR_EGRESS, type SourcePolicy } from './source.ts';

export interface EcosystemCounts {
  added: number;
  updated: number;
  unchanged: number;
  skipped: number;
}

export interface ImportReport {
  source: string;
  ecosystems: Record<string, EcosystemCounts>;
  knownExploited?: number;
  cveRecords?: number;
  warnings: string[];
}

/**
 * The OSV ecosystems fetched from an online mirror when no list is given: every one the matcher
 * looks packages up in (see `osv/ecosystems.ts`).
 */
export const DEFAULT_ECOSYSTEMS = OSV_ECOSYSTEMS_LOOKED_UP;

const MAX_ZIP = 1024 * 1024 * 1024;

/** The CISA Known Exploited Vulnerabilities catalog (JSON feed). */
export const PUBLIC_KEV_FEED =
  'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json';
/** The CVE Program's record service: one CVE JSON 5 record per id. */
export const PUBLIC_CVE_SERVICE = 'https://cveawg.mitre.org/api/cve/{id}';
/** CVE records fetched per import at most (the rest follow on the next refresh). */
export const DEFAULT_MAX_CVE_RECORDS = 2000;
const MAX_FEED = 64 * 1024 * 1024;
const MAX_CVE_RECORD = 4 * 1024 * 1024;

/** How far an import is: the counts so far, and the part being read. */
export interface ImportProgress {
  ecosystems: ImportReport['ecosystems'];
  /** The ecosystem (or file) being read; undefined once everything is read. */
  current?: string;
}

class Importer {
  readonly report: ImportReport;
  private records = 0;
  constructor(
    private readonly db: AdvisoryWriter,
    source: string,
    private readonly onProgress?: (progress: ImportProgress) => void,
  ) {
    this.report = { source, ecosystems: {}, warnings: [] };
  }

  progress(current?: string): void {
    this.onProgress?.({ ecosystems: this.report.ecosystems, ...(current ? { current } : {}) });
  }

  private counts(group: string): EcosystemCounts {
    this.report.ecosystems[group] ??= { added: 0, updated: 0, unchanged: 0, skipped: 0 };
    return this.report.ecosystems[group] as EcosystemCounts;
  }

  /** One OSV record; a bad one is skipped with a warning. */
  async record(value: unknown, where: string, fallbackGroup?: string): Promise<void> {
    if (!isOsvRecord(value)) {
      this.counts(fallbackGroup ?? 'unknown').skipped++;
      this.report.warnings.push(
        `${where}: not an OSV record (id, modified and affected are required)`,
      );
      return;
    }
    const record = value as OsvRecord;
    const groups = new Set(
      (record.affected ?? [])
        .map((a) => a.package?.ecosystem?.split(':')[0])
        .filter(Boolean) as string[],
    );
    if (groups.size === 0) {
      this.counts(fallbackGroup ?? 'unknown').skipped++;
      this.report.warnings.push(`${where}: ${record.id} affects no package`);
      return;
    }
    for (const group of groups) {
      if (fallbackGroup && group !== fallbackGroup) continue;
      const outcome = await this.db.upsert(group, record);
      this.counts(group)[outcome]++;
    }
    if (++this.records % 500 === 0) this.progress(fallbackGroup ?? [...groups][0]);
  }

  async zip(data: Buffer, where: string, group?: string): Promise<void> {
    let zip: ZipArchive;
    try {
      zip = new ZipArchive(data);
    } catch (error) {
      this.report.warnings.push(`${where}: unreadable zip (${(error as Error).message})`);
      return;
    }
    if (group) this.counts(group);
    this.progress(group ?? where);
    for (const entry of zip.entries) {
      if (!entry.name.endsWith('.json')) continue;
      let value: unknown;
      try {
        value = JSON.parse(zip.read(entry, 64 * 1024 * 1024).toString('utf8'));
      } catch (error) {
        this.counts(group ?? 'unknown').skipped++;
        this.report.warnings.push(
          `${where}!/${entry.name}: ${(error as Error).message.split('\n')[0]}`,
        );
        continue;
      }
      await this.record(value, `${where}!/${entry.name}`, group);
    }
  }

  async kev(value: {
    catalogVersion?: string;
    vulnerabilities?: { cveID?: string }[];
  }): Promise<void> {
    const cves = (value.vulnerabilities ?? []).flatMap((v) => (v.cveID ? [v.cveID] : []));
    await this.db.setKnownExploited(cves, value.catalogVersion);
    this.report.knownExploited = cves.length;
  }

  async cve(value: Record<string, unknown>): Promise<boolean> {
    const info = parseCveRecord(value);
    if (!info) return false;
    await this.db.putCve(info);
    this.report.cveRecords = (this.report.cveRecords ?? 0) + 1;
    return true;
  }

  /** The KEV catalog from its feed URL; a failure is a warning (the last catalog stays). */
  async kevFeed(url: string, fetchImpl: typeof fetch | undefined, egress: EgressRules) {
    this.progress('CISA KEV');
    try {
      const data = await download(url, fetchImpl, egress, MAX_FEED);
      if (!data) throw new Error('HTTP 404');
      const value = JSON.parse(data.toString('utf8')) as Record<string, unknown>;
      if (!Array.isArray(value.vulnerabilities)) {
        throw new Error('not a KEV catalog (no vulnerabilities list)');
      }
      await this.kev(value);
    } catch (error) {
      this.report.warnings.push(
        `${url}: KEV catalog not refreshed (${(error as Error).message.split('\n')[0]})`,
      );
    }
  }

  /**
   * CVE List records for the CVEs whose advisories publish no CVSS of their own (what severity
   * and titles fall back to), newest first, at most `max`, `concurrency` at a time. A CVE the
   * service does not know is stored empty, so it is not asked again.
   */
  async cveService(
    template: string,
    fetchImpl: typeof fetch | undefined,
    egress: EgressRules,
    max: number,
  ): Promise<void> {
    this.progress('CVE records');
    const wanted = await this.db.cvesWanted(max + 1);
    const ids = wanted.slice(0, max);
    this.report.cveRecords ??= 0;
    let failures = 0;
    let firstFailure = '';
    const one = async (id: string) => {
      const url = template.replace('{id}', encodeURIComponent(id));
      try {
        const data = await download(url, fetchImpl, egress, MAX_CVE_RECORD);
        const value = data ? (JSON.parse(data.toString('utf8')) as Record<string, unknown>) : {};
        if (!(await this.cve(value))) await this.db.putCve({ id });
      } catch (error) {
        failures++;
        firstFailure ||= `${id}: ${(error as Error).message.split('\n')[0]}`;
      }
    };
    const queue = [...ids];
    const workers = Array.from({ length: Math.min(8, queue.length) }, async () => {
      for (let id = queue.shift(); id; id = queue.shift()) {
        await one(id);
        if (queue.length % 100 === 0) this.progress('CVE records');
      }
    });
    await Promise.all(workers);
    if (failures > 0) {
      this.report.warnings.push(
        `${failures} of ${ids.length} CVE records could not be fetched (first: ${firstFailure}); tried again on the next refresh`,
      );
    }
    if (wanted.length > max) {
      this.report.warnings.push(
        `more CVEs lack a CVE record than one import fetches (${max}): the rest follow on the next refresh`,
      );
    }
  }

  /** A JSON file: OSV record, KEV catalog or CVE JSON 5 record. */
  async json(data: Buffer, where: string): Promise<void> {
    let value: unknown;
    try {
      value = JSON.parse(data.toString('utf8'));
    } catch (error) {
      this.report.warnings.push(`${where}: ${(error as Error).message.split('\n')[0]}`);
      return;
    }
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.vulnerabilities) && 'catalogVersion' in v) await this.kev(v);
    else if (v.dataType === 'CVE_RECORD') await this.cve(v);
    else await this.record(value, where);
  }
}

export function parseCveRecord(value: Record<string, unknown>): CveInfo | undefined {
  const meta = value.cveMetadata as { cveId?: string } | undefined;
  const containers = value.containers as { cna?: CveContainer; adp?: CveContainer[] } | undefined;
  if (!meta?.cveId || !containers) return undefined;
  const all = [containers.cna, ...(containers.adp ?? [])].filter(Boolean) as CveContainer[];
  let metric: { baseScore?: number; vectorString?: string; baseSeverity?: string } | undefined;
  for (const c of all) {
    for (const m of c.metrics ?? []) {
      metric ??= m.cvssV3_1 ?? m.cvssV3_0;
    }
  }
  const description = containers.cna?.descriptions?.find((d) => d.lang?.startsWith('en'))?.value;
  return {
    id: meta.cveId,
    ...(containers.cna?.title ? { title: containers.cna.title } : {}),
    ...(description ? { description } : {}),
    ...(metric?.baseScore !== undefined ? { cvssScore: metric.baseScore } : {}),
    ...(metric?.vectorString ? { cvssVector: metric.vectorString } : {}),
    ...(metric?.baseSeverity ? { cvssSeverity: metric.baseSeverity } : {}),
  };
}

interface CveContainer {
  title?: string;
  descriptions?: { lang?: string; value?: string }[];
  metrics?: {
    cvssV3_1?: { baseScore?: number; vectorString?: string; baseSeverity?: string };
    cvssV3_0?: { baseScore?: number; vectorString?: string; baseSeverity?: string };
  }[];
}

/** A full mirror root: OSV zips under osv/, the KEV catalog under kev/, CVE records under nvd/ or cve/. */
const MIRROR_PARTS = ['osv', 'kev', 'nvd', 'cve'];

async function importDirectory(importer: Importer, dir: string): Promise<void> {
  const parts = MIRROR_PARTS.filter((p) => existsSync(path.join(dir, p)));
  if (parts.length > 0) {
    for (const part of parts) await importDirectory(importer, path.join(dir, part));
    return;
  }
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) {
      // A link could lead out of the mirror folder: mirrors are read as they are stored.
      importer.report.warnings.push(`${full}: symbolic link, skipped`);
      continue;
    }
    if (entry.isDirectory()) {
      const zip = path.join(full, 'all.zip');
      if (existsSync(zip)) {
        await importer.zip(await readFile(zip), zip, entry.name);
      } else {
        // osv/, kev/, nvd/ folders of a mirror, or a folder of single records.
        await importDirectory(importer, full);
      }
    } else if (entry.name.endsWith('.json')) {
      await importer.json(await readFile(full), full);
    } else if (entry.name.endsWith('.zip')) {
      await importer.zip(await readFile(full), full);
    }
  }
}

/** A download: streamed, abandoned as soon as it passes `max` bytes; undefined on 404. */
async function download(
  url: string,
  fetchImpl: typeof fetch | undefined,
  egress: EgressRules,
  max: number,
): Promise<Buffer | undefined> {
  const signal = AbortSignal.timeout(300_000);
  const response = fetchImpl
    ? await fetchImpl(url, { signal })
    : await safeFetch(url, { signal }, { rules: egress });
  if (response.status === 404) {
    await response.body?.cancel();
    return undefined;
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`GET ${url} answered HTTP ${response.status}`);
  }
  const length = Number(response.headers.get('content-length') ?? 0);
  const tooLarge = () => new Error(`GET ${url}: larger than ${max} bytes, not imported`);
  if (length > max) {
    await response.body?.cancel();
    throw tooLarge();
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of (response.body ?? []) as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > max) {
      await response.body?.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/**
 * Imports advisories into the local database from a mirror folder (`<Ecosystem>/all.zip`, plus
 * optional KEV and CVE List files), a single file (zip or JSON), or an online mirror base URL
 * (`<url>/<Ecosystem>/all.zip`). Idempotent: a record is replaced only by a newer `modified`.
 */
export async function importAdvisories(
  db: AdvisoryWriter,
  source: string,
  options: {
    fetch?: typeof fetch;
    ecosystems?: string[];
    /** Server-side imports: only these folders and non-local mirror URLs (see source.ts). */
    policy?: SourcePolicy;
    /** Largest download accepted (default 1 GiB). */
    maxDownloadBytes?: number;
    /** Called as ecosystems are read (at least once per ecosystem, and every 500 records). */
    onProgress?: (progress: ImportProgress) => void;
    /** The CISA KEV catalog URL to refresh from (online refreshes; mirrors carry kev/). */
    kev?: string;
    /** The CVE record URL template (`{id}`): records for CVEs without a CVSS of their own. */
    cve?: string;
    /** CVE records fetched at most (default DEFAULT_MAX_CVE_RECORDS). */
    maxCveRecords?: number;
  } = {},
): Promise<ImportReport> {
  if (options.policy) {
    await checkImportSource(source, options.policy);
    if (options.kev) await checkImportSource(options.kev, options.policy);
    if (options.cve) {
      await checkImportSource(options.cve.replace('{id}', 'CVE-2000-0001'), options.policy);
    }
  }
  if (options.cve && !options.cve.includes('{id}')) {
    throw new Error(`the CVE record URL must contain {id}: ${options.cve}`);
  }
  const importer = new Importer(db, source, options.onProgress);
  // The CLI runs on its user's own machine: any mirror it names. The server: MIRROR_EGRESS.
  const egress = options.policy ? MIRROR_EGRESS : { allowPrivate: true };
  if (/^https?:\/\//.test(source)) {
    const fetchImpl = options.fetch;
    if (/\.(zip|json)$/.test(source)) {
      const data = await download(source, fetchImpl, egress, options.maxDownloadBytes ?? MAX_ZIP);
      if (!data) throw new Error(`GET ${source} answered HTTP 404`);
      if (source.endsWith('.zip')) await importer.zip(data, source);
      else await importer.json(data, source);
    } else {
      const base = source.replace(/\/+$/, '');
      for (const ecosystem of options.ecosystems ?? DEFAULT_ECOSYSTEMS) {
        importer.progress(ecosystem);
        const url = `${base}/${encodeURIComponent(ecosystem)}/all.zip`;
        const data = await download(url, fetchImpl, egress, options.maxDownloadBytes ?? MAX_ZIP);
        if (data) await importer.zip(data, url, ecosystem);
        else importer.report.warnings.push(`${url}: not found, skipped`);
      }
    }
  } else {
    const info = await stat(source).catch(() => undefined);
    if (!info) throw new Error(`${source}: no such file or directory`);
    if (info.isDirectory()) await importDirectory(importer, source);
    else if (source.endsWith('.zip')) await importer.zip(await readFile(source), source);
    else await importer.json(await readFile(source), source);
  }
  if (options.kev) await importer.kevFeed(options.kev, options.fetch, egress);
  importer.progress('saving');
  await db.save(source);
  if (options.cve) {
    // After saving: the records just imported say which CVEs need one.
    const max = options.maxCveRecords ?? DEFAULT_MAX_CVE_RECORDS;
    await importer.cveService(options.cve, options.fetch, egress, max);
    importer.progress('saving');
    await db.save(source);
  }
  importer.progress();
  return importer.report;
}
