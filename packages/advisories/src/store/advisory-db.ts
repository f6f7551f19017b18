import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { normalizeName } from '../osv/ecosystems.ts';
import type { OsvAffected, OsvRecord } from '../osv/types.ts';

/** CVSS and description from a CVE JSON 5 record (CVE List), used when an advisory has none. */
export interface CveInfo {
  id: string;
  title?: string;
  description?: string;
  cvssScore?: number;
  cvssVector?: string;
  cvssSeverity?: string;
}

/** What matching reads: implemented by the local file database and by the server's Postgres store. */
export interface AdvisoryStore {
  lookup(
    ecosystem: string,
    name: string,
  ): Promise<{ record: OsvRecord; affected: OsvAffected[] }[]>;
  /** Optional: the lookups an inventory will make, fetched at once (later lookups read them). */
  prefetch?(keys: { ecosystem: string; name: string }[]): Promise<void>;
  knownExploited(): Promise<Set<string>>;
  cve(id: string): Promise<CveInfo | undefined>;
  /**
   * The ecosystems of one group ("Ubuntu" → "Ubuntu:22.04:LTS", "Ubuntu:24.04:LTS"…) that some
   * record names: what the database can answer for.
   */
  ecosystems(group: string): Promise<Set<string>>;
}

/** What importing writes. */
export interface AdvisoryWriter {
  upsert(group: string, record: OsvRecord): Promise<'added' | 'updated' | 'unchanged'>;
  setKnownExploited(cves: string[], catalogVersion: string | undefined): Promise<void>;
  putCve(info: CveInfo): Promise<void>;
  /**
   * CVE ids (record ids and aliases) of advisories that publish no CVSS of their own and have
   * no CVE record yet, newest advisory first, at most `limit`.
   */
  cvesWanted(limit: number): Promise<string[]>;
  save(source: string): Promise<void>;
}

/** An advisory with no CVSS of its own: its severity and title may come from the CVE record. */
export const lacksCvss = (record: OsvRecord) =>
  !record.severity?.some((s) => s.type === 'CVSS_V3' || s.type === 'CVSS_V4');

/** The CVE ids an advisory goes by. */
export const cveIdsOf = (record: OsvRecord) =>
  [record.id, ...(record.aliases ?? []), ...(record.upstream ?? [])].filter((i) =>
    /^CVE-\d{4}-\d+$/.test(i),
  );

export interface DbMeta {
  schema: 1;
  updatedAt: string;
  sources: string[];
  kevCatalogVersion?: string;
  /** Advisory records (distinct), KEV entries and CVE records, as of the last save. */
  records?: number;
  knownExploited?: number;
  cveRecords?: number;
}

/** Where the CLI keeps its advisory database when no server is involved. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DRYDOCK_CACHE_DIR) return path.resolve(env.DRYDOCK_CACHE_DIR);
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'drydock');
}

/**
 * The local advisory database: OSV records grouped by ecosystem (one JSON file each, loaded only
 * for the ecosystems an image needs), the KEV CVE set and CVE List details.
 */
export class AdvisoryDb implements AdvisoryStore, AdvisoryWriter {
  private readonly records = new Map<string, Map<string, OsvRecord>>();
  private readonly index = new Map<string, Map<string, OsvRecord[]>>();
  private kev: Set<string> | undefined;
  private cves: Record<string, CveInfo> | undefined;
  private dirty = new Set<string>();
  meta: DbMeta | undefined;

  private constructor(readonly dir: string) {}

  static async open(dir: string): Promise<AdvisoryDb> {
    const db = new AdvisoryDb(dir);
    const metaFile = path.join(dir, 'meta.json');
    if (existsSync(metaFile)) db.meta = JSON.parse(await readFile(metaFile, 'utf8')) as DbMeta;
    return db;
  }

  get exists(): boolean {
    return this.meta !== undefined;
  }

  private file(group: string): string {
    return path.join(this.dir, 'osv', `${group.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
  }

  /** Records of one ecosystem group ("Debian", "npm"…), loaded on first use. */
  async group(group: string): Promise<Map<string, OsvRecord>> {
    let records = this.records.get(group);
    if (!records) {
      records = new Map();
      const file = this.file(group);
      if (existsSync(file)) {
        const data = JSON.parse(await readFile(file, 'utf8')) as Record<string, OsvRecord>;
        for (const [id, record] of Object.entries(data)) records.set(id, record);
      }
      this.records.set(group, records);
    }
    return records;
  }

  /** Adds or replaces a record unless the stored copy is as new. Returns what happened. */
  async upsert(group: string, record: OsvRecord): Promise<'added' | 'updated' | 'unchanged'> {
    const records = await this.group(group);
    const existing = records.get(record.id);
    if (existing && existing.modified >= record.modified) return 'unchanged';
    records.set(record.id, record);
    this.index.delete(group);
    this.dirty.add(group);
    return existing ? 'updated' : 'added';
  }

  /** Records with an `affected` entry for this exact ecosystem ("Debian:12") and package name. */
  async lookup(
    ecosystem: string,
    name: string,
  ): Promise<{ record: OsvRecord; affected: OsvAffected[] }[]> {
    const group = ecosystem.split(':')[0] as string;
    let byName = this.index.get(group);
    if (!byName) {
      byName = new Map();
      for (const record of (await this.group(group)).values()) {
        for (const a of record.affected ?? []) {
          const key = `${a.package.ecosystem}|${normalizeName(a.package.ecosystem, a.package.name)}`;
          const list = byName.get(key) ?? [];
          if (!list.includes(record)) list.push(record);
          byName.set(key, list);
        }
      }
      this.index.set(group, byName);
    }
    const wanted = normalizeName(ecosystem, name);
    return (byName.get(`${ecosystem}|${wanted}`) ?? []).map((record) => ({
      record,
      affected: (record.affected ?? []).filter(
        (a) =>
          a.package.ecosystem === ecosystem && normalizeName(ecosystem, a.package.name) === wanted,
      ),
    }));
  }

  async ecosystems(group: string): Promise<Set<string>> {
    const out = new Set<string>();
    for (const record of (await this.group(group)).values()) {
      for (const a of record.affected ?? []) {
        const e = a.package?.ecosystem;
        if (e && (e === group || e.startsWith(`${group}:`))) out.add(e);
      }
    }
    return out;
  }

  async knownExploited(): Promise<Set<string>> {
    if (!this.kev) {
      const file = path.join(this.dir, 'kev.json');
      this.kev = new Set(
        existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as string[]) : [],
      );
    }
    return this.kev;
  }

  async setKnownExploited(cves: string[], catalogVersion: string | undefined): Promise<void> {
    this.kev = new Set(cves);
    this.dirty.add('@kev');
    if (this.meta && catalogVersion) this.meta.kevCatalogVersion = catalogVersion;
    this.kevVersion = catalogVersion;
  }
  private kevVersion: string | undefined;

  async cve(id: string): Promise<CveInfo | undefined> {
    if (!this.cves) {
      const file = path.join(this.dir, 'cve.json');
      this.cves = existsSync(file)
        ? (JSON.parse(await readFile(file, 'utf8')) as Record<string, CveInfo>)
        : {};
    }
    return this.cves[id];
  }

  async putCve(info: CveInfo): Promise<void> {
    await this.cve(info.id);
    (this.cves as Record<string, CveInfo>)[info.id] = info;
    this.dirty.add('@cve');
  }

  /** Every group: loaded ones and those on disk (one file each). */
  private async groupNames(): Promise<string[]> {
    const dir = path.join(this.dir, 'osv');
    const onDisk = existsSync(dir)
      ? (await readdir(dir)).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5))
      : [];
    const loaded = [...this.records.keys()];
    const files = new Set(loaded.map((g) => path.basename(this.file(g))));
    return [...loaded, ...onDisk.filter((g) => !files.has(`${g}.json`))];
  }

  async cvesWanted(limit: number): Promise<string[]> {
    await this.cve('');
    const newest = new Map<string, string>();
    const consider = (record: OsvRecord) => {
      if (!lacksCvss(record)) return;
      for (const id of cveIdsOf(record)) {
        if (this.cves?.[id]) continue;
        if ((newest.get(id) ?? '') < record.modified) newest.set(id, record.modified);
      }
    };
    for (const group of await this.groupNames()) {
      for (const record of (await this.group(group)).values()) consider(record);
    }
    return [...newest.entries()]
      .sort((a, b) => b[1].localeCompare(a[1]) || a[0].localeCompare(b[0]))
      .slice(0, limit)
      .map(([id]) => id);
  }

  /** The database as a scan records it (what it held, when it was updated, from where). */
  describe():
    | {
        updatedAt: string;
        sources: string[];
        records: number;
        knownExploited?: number;
        cveRecords?: number;
      }
    | undefined {
    if (!this.meta) return undefined;
    const m = this.meta;
    return {
      updatedAt: m.updatedAt,
      sources: m.sources,
      records: m.records ?? 0,
      ...(m.knownExploited !== undefined ? { knownExploited: m.knownExploited } : {}),
      ...(m.cveRecords !== undefined ? { cveRecords: m.cveRecords } : {}),
    };
  }

  /** Writes changed files atomically (write + rename) and the metadata. */
  async save(source: string, now = new Date()): Promise<void> {
    await mkdir(path.join(this.dir, 'osv'), { recursive: true });
    const write = async (file: string, data: unknown) => {
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(data));
      await rename(tmp, file);
    };
    for (const group of this.dirty) {
      if (group === '@kev') await write(path.join(this.dir, 'kev.json'), [...(this.kev ?? [])]);
      else if (group === '@cve') await write(path.join(this.dir, 'cve.json'), this.cves ?? {});
      else await write(this.file(group), Object.fromEntries(this.records.get(group) ?? []));
    }
    this.dirty.clear();
    const sources = [...new Set([...(this.meta?.sources ?? []), source])];
    // Distinct records over every group (a GHSA record affecting npm and NuGet counts once).
    const ids = new Set<string>();
    for (const group of await this.groupNames()) {
      for (const id of (await this.group(group)).keys()) ids.add(id);
    }
    const knownExploited = this.kev?.size ?? this.meta?.knownExploited;
    const cveRecords = this.cves ? Object.keys(this.cves).length : this.meta?.cveRecords;
    this.meta = {
      schema: 1,
      updatedAt: now.toISOString(),
      sources,
      records: ids.size,
      ...(knownExploited !== undefined ? { knownExploited } : {}),
      ...(cveRecords !== undefined ? { cveRecords } : {}),
      ...((this.kevVersion ?? this.meta?.kevCatalogVersion)
        ? { kevCatalogVersion: this.kevVersion ?? this.meta?.kevCatalogVersion }
        : {}),
    };
    await write(path.join(this.dir, 'meta.json'), this.meta);
  }
}
