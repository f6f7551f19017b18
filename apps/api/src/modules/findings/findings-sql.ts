import {
  type ImageScopeQuerySchema,
  PRIORITY_RANK,
  priorityOfRank,
  SAMPLE_SEVERITY_RANK,
  SampleSeveritySchema,
  SeveritySchema,
} from '@drydock/contract';
import { Prisma } from '@drydock/db';
import type { z } from 'zod';
import type { Visibility } from '../../auth/permissions.ts';
import { visibleSql } from '../../auth/visibility.ts';

/** SQL pieces the findings repositories share: scope filters, joins, rankings, fuzzy text. */

export type Scope = z.infer<typeof ImageScopeQuerySchema> & { visible?: Visibility };
export const sql = Prisma.sql;

export const like = (value: string) =>
  `%${value.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Image filters shared by every list: instance, namespace, repository (substring), digest prefix. */
export function scopeConditions(scope: Scope): Prisma.Sql[] {
  const out: Prisma.Sql[] = [];
  const visible = visibleSql(scope.visible);
  if (visible) out.push(visible);
  if (scope.instanceId) out.push(sql`n.instance_id = ${scope.instanceId}::uuid`);
  if (scope.namespace) out.push(sql`lower(n.name) LIKE ${like(scope.namespace)}`);
  if (scope.repository) out.push(sql`lower(r.name) LIKE ${like(scope.repository)}`);
  if (scope.digest) {
    const digest = scope.digest.startsWith('sha256:') ? scope.digest : `sha256:${scope.digest}`;
    out.push(sql`i.digest LIKE ${`${digest}%`}`);
  }
  return out;
}

/** Findings `f` (or `sf`) of images `i` brought by the image's base layers, or by its own. */
export const introducedBy = (value: 'base' | 'own' | undefined, alias = 'f') =>
  value === undefined
    ? []
    : [
        value === 'base'
          ? sql`${Prisma.raw(alias)}.layer_index < i.base_layer_count`
          : sql`${Prisma.raw(alias)}.layer_index >= i.base_layer_count`,
      ];

export const where = (conditions: Prisma.Sql[]) =>
  conditions.length ? sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty;

/** The image `i`, repository `r` and namespace `n` of rows `alias` (with an `image_id`). */
export const imageJoins = (
  alias: string,
) => sql`JOIN image i ON i.id = ${Prisma.raw(alias)}.image_id
  LEFT JOIN repository r ON r.id = i.repository_id
  LEFT JOIN namespace n ON n.id = r.namespace_id`;
export const IMAGE_JOINS = imageJoins('f');

/** A column's rank as SQL, from one of the contract's rank tables (its keys are constants). */
export const rankCase = (column: string, ranks: Record<string, number>) => {
  const arms = Object.entries(ranks).map(([k, v]) => {
    if (!/^[a-z_]+$/.test(k)) throw new Error(`not a rank key: ${k}`);
    return `WHEN '${k}' THEN ${Number(v)}`;
  });
  return Prisma.raw(`CASE ${column}::text ${arms.join(' ')} ELSE 0 END`);
};
export const PRIORITY_RANK_SQL = rankCase('f.priority', PRIORITY_RANK);
export const severityOf = (s: string) => SeveritySchema.catch('unknown').parse(s);
export const sampleSeverityOf = (s: string) => SampleSeveritySchema.catch('notice').parse(s);
export const SEVERITY_RANK_SQL = rankCase('s.severity', SAMPLE_SEVERITY_RANK);

/** Fuzzy text on a vulnerability (alias `vv`): substring or trigram word similarity on id + title. */
export const titleMatches = (n: string) =>
  sql`(lower(vv.id || ' ' || vv.title) LIKE ${like(n)} OR ${n} <% lower(vv.id || ' ' || vv.title))`;
/** Fuzzy text on a finding's package (alias `pf`), served by the trigram index on package_name. */
export const packageMatches = (n: string) =>
  sql`(lower(pf.package_name) LIKE ${like(n)} OR lower(pf.package_name) % ${n})`;

export interface TabRow {
  vulnerability_id: string;
  title: string;
  severity: string;
  known_exploited: boolean;
  prank: number;
  images: number | bigint;
  packages: number | bigint;
  fixable: boolean;
  last_scan: Date | null;
}

export const toRow = (r: TabRow) => ({
  id: r.vulnerability_id,
  title: r.title,
  severity: severityOf(r.severity),
  priority: priorityOfRank(r.prank),
  tags: [
    r.fixable ? 'fix-available' : 'no-fix',
    ...(r.known_exploited ? ['known-exploited'] : []),
    ...(r.severity === 'critical' ? ['critical'] : []),
  ],
  affectedImages: Number(r.images),
  affectedPackages: Number(r.packages),
  lastScanAt: r.last_scan?.toISOString() ?? null,
});

export interface ImageCounts {
  system: { high: number; medium: number; low: number };
  application: { high: number; medium: number; low: number };
  malicious: { urgent: number; warning: number; notice: number };
}
export const emptyCounts = (): ImageCounts => ({
  system: { high: 0, medium: 0, low: 0 },
  application: { high: 0, medium: 0, low: 0 },
  malicious: { urgent: 0, warning: 0, notice: 0 },
});
