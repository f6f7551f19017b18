import {
  type AdvisoryStore,
  type AdvisoryWriter,
  type CveInfo,
  normalizeName,
  type OsvAffected,
  type OsvRecord,
} from '@drydock/advisories';
import type { PrismaClient } from './generated/prisma/client.ts';

const CHUNK = 500;
/** Pending records written once this many are waiting. */
const FLUSH_EVERY = 2000;

/**
 * The server's advisory database in Postgres: advisories with their full OSV record, an index of
 * affected (ecosystem, normalised name), the KEV set and CVE details. Stored inventories are
 * re-matched against it without rescanning images. Writes are batched: `upsert` decides against
 * the `modified` already stored, `save` writes in chunks.
 */
export class PgAdvisoryStore implements AdvisoryStore, AdvisoryWriter {
  private known: Map<string, string> | undefined;
  private pending = new Map<string, OsvRecord>();
  private kev: string[] | undefined;
  private cves: CveInfo[] = [];

  constructor(private readonly prisma: PrismaClient) {}

  private async modifiedById(): Promise<Map<string, string>> {
    if (!this.known) {
      const rows = await this.prisma.$queryRaw<
        { id: string; modified: Date }[]
      >`SELECT id, modified FROM advisory`;
      this.known = new Map(rows.map((r) => [r.id, r.modified.toISOString()]));
    }
    return this.known;
  }

  async upsert(_group: string, record: OsvRecord): Promise<'added' | 'updated' | 'unchanged'> {
    const known = await this.modifiedById();
    const modified = new Date(record.modified).toISOString();
    const queued = this.pending.get(record.id);
    const existing = queued ? new Date(queued.modified).toISOString() : known.get(record.id);
    if (existing && existing >= modified) return 'unchanged';
    this.pending.set(record.id, record);
    // Written as the import goes: memory stays bounded however large the feed.
    if (this.pending.size >= FLUSH_EVERY) await this.writeRecords();
    return existing ? 'updated' : 'added';
  }

  async setKnownExploited(cves: string[]): Promise<void> {
    this.kev = cves;
  }

  async putCve(info: CveInfo): Promise<void> {
    this.cves.push(info);
  }

  /** Writes the pending records (one transaction per chunk of CHUNK). */
  private async writeRecords(): Promise<void> {
    const records = [...this.pending.values()];
    for (let i = 0; i < records.length; i += CHUNK) {
      const chunk = records.slice(i, i + CHUNK);
      const rows = chunk.map((r) => ({
        id: r.id,
        modified: r.modified,
        published: r.published ?? null,
        withdrawn: r.withdrawn ?? null,
        aliases: [...new Set([...(r.aliases ?? []), ...(r.upstream ?? [])])],
        summary: r.summary ?? null,
        record: r,
      }));
      const affected = chunk.flatMap((r) => {
        const keys = new Set<string>();
        for (const a of r.affected ?? []) {
          if (a.package?.ecosystem && a.package.name) {
            keys.add(
              JSON.stringify([
                a.package.ecosystem,
                normalizeName(a.package.ecosystem, a.package.name),
              ]),
            );
          }
        }
        return [...keys].map((k) => {
          const [ecosystem, name] = JSON.parse(k) as [string, string];
          return { advisory_id: r.id, ecosystem, name };
        });
      });
      // One transaction per chunk: an advisory and its index rows change together.
      await this.prisma.$transaction([
        this.prisma.$executeRaw`
          INSERT INTO advisory (id, modified, published, withdrawn, aliases, summary, record)
          SELECT r.id, r.modified, r.published, r.withdrawn,
                 ARRAY(SELECT jsonb_array_elements_text(r.aliases)), r.summary, r.record
          FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
            AS r(id text, modified timestamptz, published timestamptz, withdrawn timestamptz,
                 aliases jsonb, summary text, record jsonb)
          ON CONFLICT (id) DO UPDATE SET modified = EXCLUDED.modified, published = EXCLUDED.published,
            withdrawn = EXCLUDED.withdrawn, aliases = EXCLUDED.aliases, summary = EXCLUDED.summary,
            record = EXCLUDED.record, imported_at = now()`,
        this.prisma
          .$executeRaw`DELETE FROM advisory_affected WHERE advisory_id = ANY(${chunk.map((r) => r.id)}::text[])`,
        this.prisma.$executeRaw`
          INSERT INTO advisory_affected (advisory_id, ecosystem, name)
          SELECT a.advisory_id, a.ecosystem, a.name
          FROM jsonb_to_recordset(${JSON.stringify(affected)}::jsonb) AS a(advisory_id text, ecosystem text, name text)`,
      ]);
      for (const r of chunk) this.known?.set(r.id, new Date(r.modified).toISOString());
    }
    this.pending.clear();
    this.held.clear();
    this.fetched.clear();
  }

  async save(): Promise<void> {
    await this.writeRecords();
    if (this.kev) {
      const kev = this.kev;
      await this.prisma.$transaction([
        this.prisma.$executeRaw`DELETE FROM known_exploited`,
        this.prisma
          .$executeRaw`INSERT INTO known_exploited (cve_id) SELECT unnest(${kev}::text[]) ON CONFLICT DO NOTHING`,
      ]);
      this.kev = undefined;
    }
    for (let i = 0; i < this.cves.length; i += CHUNK) {
      const rows = this.cves.slice(i, i + CHUNK).map((c) => ({
        id: c.id,
        title: c.title ?? null,
        description: c.description ?? null,
        cvss_score: c.cvssScore ?? null,
        cvss_vector: c.cvssVector ?? null,
        cvss_severity: c.cvssSeverity ?? null,
      }));
      await this.prisma.$executeRaw`
        INSERT INTO cve_record (id, title, description, cvss_score, cvss_vector, cvss_severity)
        SELECT DISTINCT ON (r.id) r.id, r.title, r.description, r.cvss_score, r.cvss_vector, r.cvss_severity
        FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
          AS r(id text, title text, description text, cvss_score float8, cvss_vector text, cvss_severity text)
        ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, description = EXCLUDED.description,
          cvss_score = EXCLUDED.cvss_score, cvss_vector = EXCLUDED.cvss_vector,
          cvss_severity = EXCLUDED.cvss_severity`;
    }
    this.cves = [];
  }

  async cvesWanted(limit: number): Promise<string[]> {
    const rows = await this.prisma.$queryRaw<{ id: string }[]>`
      SELECT c.id FROM (
        SELECT cve AS id, max(a.modified) AS modified
        FROM advisory a, unnest(array_append(a.aliases, a.id)) AS cve
        WHERE cve ~ '^CVE-[0-9]{4}-[0-9]+$'
          AND NOT (coalesce(a.record->'severity', '[]'::jsonb) @> '[{"type":"CVSS_V3"}]'
                OR coalesce(a.record->'severity', '[]'::jsonb) @> '[{"type":"CVSS_V4"}]')
        GROUP BY cve) c
      WHERE NOT EXISTS (SELECT 1 FROM cve_record r WHERE r.id = c.id)
      ORDER BY c.modified DESC, c.id
      LIMIT ${limit}`;
    return rows.map((r) => r.id);
  }

  /** What the database holds: advisory records, KEV entries, CVE List records. */
  async totals(): Promise<{ records: number; knownExploited: number; cveRecords: number }> {
    const [row] = await this.prisma.$queryRaw<
      { records: bigint; known_exploited: bigint; cve_records: bigint }[]
    >`SELECT (SELECT count(*) FROM advisory) AS records,
             (SELECT count(*) FROM known_exploited) AS known_exploited,
             (SELECT count(*) FROM cve_record) AS cve_records`;
    return {
      records: Number(row?.records ?? 0),
      knownExploited: Number(row?.known_exploited ?? 0),
      cveRecords: Number(row?.cve_records ?? 0),
    };
  }

  private readonly held = new Map<string, Promise<Set<string>>>();

  /** A loose index scan over (ecosystem, name): one index probe per distinct ecosystem. */
  ecosystems(group: string): Promise<Set<string>> {
    let found = this.held.get(group);
    if (!found) {
      const prefix = `${group}:`;
      found = this.prisma.$queryRaw<{ ecosystem: string }[]>`
        WITH RECURSIVE e(ecosystem) AS (
          (SELECT ecosystem FROM advisory_affected
            WHERE ecosystem >= ${group} AND (ecosystem = ${group} OR starts_with(ecosystem, ${prefix}))
            ORDER BY ecosystem LIMIT 1)
          UNION ALL
          SELECT (SELECT a.ecosystem FROM advisory_affected a
                   WHERE a.ecosystem > e.ecosystem
                     AND (a.ecosystem = ${group} OR starts_with(a.ecosystem, ${prefix}))
                   ORDER BY a.ecosystem LIMIT 1)
          FROM e WHERE e.ecosystem IS NOT NULL)
        SELECT ecosystem FROM e WHERE ecosystem IS NOT NULL`.then(
        (rows) => new Set(rows.map((r) => r.ecosystem)),
      );
      this.held.set(group, found);
    }
    return found;
  }

  /** Prefetched lookups: `ecosystem|normalized name` → records (absent key: not prefetched). */
  private readonly fetched = new Map<string, OsvRecord[]>();

  /** How many package lookups this store holds in memory. */
  get cachedLookups(): number {
    return this.fetched.size;
  }

  async prefetch(keys: { ecosystem: string; name: string }[]): Promise<void> {
    const wanted = new Map<string, { ecosystem: string; name: string }>();
    for (const k of keys) {
      const name = normalizeName(k.ecosystem, k.name);
      const key = `${k.ecosystem}|${name}`;
      if (!this.fetched.has(key)) wanted.set(key, { ecosystem: k.ecosystem, name });
    }
    if (wanted.size === 0) return;
    const list = [...wanted.values()];
    const rows = await this.prisma.$queryRaw<
      { ecosystem: string; name: string; record: OsvRecord }[]
    >`
      SELECT f.ecosystem, f.name, a.record FROM advisory_affected f
      JOIN advisory a ON a.id = f.advisory_id
      WHERE (f.ecosystem, f.name) IN (
        SELECT * FROM unnest(${list.map((k) => k.ecosystem)}::text[], ${list.map((k) => k.name)}::text[]))`;
    for (const key of wanted.keys()) this.fetched.set(key, []);
    for (const r of rows) this.fetched.get(`${r.ecosystem}|${r.name}`)?.push(r.record);
  }

  async lookup(
    ecosystem: string,
    name: string,
  ): Promise<{ record: OsvRecord; affected: OsvAffected[] }[]> {
    const wanted = normalizeName(ecosystem, name);
    const affectedOf = (record: OsvRecord) =>
      (record.affected ?? []).filter(
        (a) =>
          a.package.ecosystem === ecosystem && normalizeName(ecosystem, a.package.name) === wanted,
      );
    const prefetched = this.fetched.get(`${ecosystem}|${wanted}`);
    if (prefetched) return prefetched.map((record) => ({ record, affected: affectedOf(record) }));
    const rows = await this.prisma.$queryRaw<{ record: OsvRecord }[]>`
      SELECT a.record FROM advisory a JOIN advisory_affected f ON f.advisory_id = a.id
      WHERE f.ecosystem = ${ecosystem} AND f.name = ${wanted}`;
    return rows.map(({ record }) => ({
      record,
      affected: (record.affected ?? []).filter(
        (a) =>
          a.package.ecosystem === ecosystem && normalizeName(ecosystem, a.package.name) === wanted,
      ),
    }));
  }

  private kevCache: Set<string> | undefined;
  async knownExploited(): Promise<Set<string>> {
    if (!this.kevCache) {
      const rows = await this.prisma.knownExploited.findMany({ select: { cveId: true } });
      this.kevCache = new Set(rows.map((r) => r.cveId));
    }
    return this.kevCache;
  }

  async cve(id: string): Promise<CveInfo | undefined> {
    const row = await this.prisma.cveRecord.findUnique({ where: { id } });
    if (!row) return undefined;
    return {
      id,
      ...(row.title ? { title: row.title } : {}),
      ...(row.description ? { description: row.description } : {}),
      ...(row.cvssScore !== null ? { cvssScore: row.cvssScore } : {}),
      ...(row.cvssVector ? { cvssVector: row.cvssVector } : {}),
      ...(row.cvssSeverity ? { cvssSeverity: row.cvssSeverity } : {}),
    };
  }
}
