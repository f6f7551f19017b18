import { createHash } from 'node:crypto';
import { isCoverageWarning, type ScanReport } from '@drydock/contract';
import { Prisma, type PrismaClient } from './generated/prisma/client.ts';
import { persistSensitive } from './persist-sensitive.ts';
import { planReconcile } from './reconcile.ts';

export { planReconcile };

export interface ImageLocation {
  /** Registry instance; absent for ad-hoc scans (uploaded or local tarballs). */
  instance?: { name: string; url: string };
  namespace?: string;
  repository?: string;
  /** Display name, e.g. "library/nginx:1.25" or the uploaded file name. */
  name: string;
}

export interface PersistResult {
  imageId: string;
  findings: { opened: number; stillOpen: number; resolved: number };
  samples: { opened: number; stillOpen: number; resolved: number };
}

type Tx = Omit<PrismaClient, '$connect' | '$disconnect' | '$on' | '$transaction' | '$extends'>;

async function resolveRepository(tx: Tx, where: ImageLocation): Promise<string | null> {
  if (!where.instance || !where.repository) return null;
  const instance = await tx.registryInstance.upsert({
    where: { name: where.instance.name },
    create: { name: where.instance.name, url: where.instance.url },
    update: {},
  });
  const namespace = await tx.namespace.upsert({
    where: { instanceId_name: { instanceId: instance.id, name: where.namespace ?? '' } },
    create: { instanceId: instance.id, name: where.namespace ?? '' },
    update: {},
  });
  const repository = await tx.repository.upsert({
    where: { namespaceId_name: { namespaceId: namespace.id, name: where.repository } },
    create: { namespaceId: namespace.id, name: where.repository },
    update: {},
  });
  return repository.id;
}

/**
 * Stores one image's scan result in a single transaction (a half-written scan is never visible):
 * image and layers, vulnerabilities (shared), findings and malicious sample findings. Finding
 * status moves with each scan: new → open, seen again → stays (ignored/handled keep their triage),
 * gone → resolved, back again → open.
 */
/** What the image keeps of a scan's warnings: what was not checked first, at most 200. */
export function storedWarnings(warnings: ScanReport['warnings']): Prisma.InputJsonValue {
  const coverage = warnings.filter(isCoverageWarning);
  const rest = warnings.filter((w) => !isCoverageWarning(w));
  return [...coverage, ...rest].slice(0, MAX_STORED_WARNINGS).map((w) => ({
    code: w.code,
    message: w.message,
    ...(w.path ? { path: w.path } : {}),
    ...(w.layerIndex !== undefined ? { layerIndex: w.layerIndex } : {}),
  }));
}

const MAX_STORED_WARNINGS = 200;

/** What a change record keeps of a stored finding. */
const CHANGE_FIELDS = {
  id: true,
  vulnerabilityId: true,
  purl: true,
  path: true,
  status: true,
  category: true,
  packageName: true,
  installedVersion: true,
  priority: true,
} as const;

type Vuln = NonNullable<ScanReport['vulnerabilities']>[number];
type Sample = NonNullable<ScanReport['maliciousSamples']>[number];
type StoredVuln = {
  id: string;
  vulnerabilityId: string;
  path: string;
  status: string;
  category: string;
  packageName: string;
  installedVersion: string;
  priority: string;
};
type StoredSample = { id: string; sampleSha256: string; path: string; status: string };
type ChangeRow = Prisma.FindingChangeCreateManyInput;

/** OCI ChainIDs of a layer stack: the first diffID, then sha256 of "<parent chain> <diffID>". */
export function chainIds(diffIds: string[]): string[] {
  const out: string[] = [];
  for (const diffId of diffIds) {
    const parent = out[out.length - 1];
    out.push(
      parent
        ? `sha256:${createHash('sha256').update(`${parent} ${diffId}`).digest('hex')}`
        : diffId,
    );
  }
  return out;
}

/**
 * Base image lineage by layer chains. An image's base is the longest proper bottom stack that is
 * the whole stack of another image scanned in the fleet (named by it: `debian:12`); failing one,
 * the longest bottom stack it shares with an image that is not the same stack (unnamed). The
 * image's own `org.opencontainers.image.base.name` label, where present, names it. Images
 * this one is a base of adopt it when it is longer than the base they had.
 */
async function assignBase(
  tx: Tx,
  imageId: string,
  name: string,
  chains: string[],
  /** What the image says its base is (`org.opencontainers.image.base.name`): the name wins. */
  baseLabel?: string,
) {
  const n = chains.length;
  const positions = chains.slice(0, -1).map((_, i) => i);
  const below = chains.slice(0, -1);
  let base: { count: number; name: string | null } = { count: 0, name: null };
  if (n > 1) {
    const [whole] = await tx.$queryRaw<{ position: number; name: string }[]>`
      SELECT il.position, i.name FROM image_layer il JOIN image i ON i.id = il.image_id
      WHERE il.image_id <> ${imageId}::uuid
        AND (il.position, il.chain_id) IN (SELECT * FROM unnest(${positions}::int[], ${below}::text[]))
        AND NOT EXISTS (SELECT 1 FROM image_layer up WHERE up.image_id = il.image_id AND up.position = il.position + 1)
      GROUP BY il.position, i.name
      ORDER BY il.position DESC, count(*) DESC, i.name LIMIT 1`;
    if (whole) base = { count: whole.position + 1, name: whole.name };
    else {
      const [shared] = await tx.$queryRaw<{ position: number | null }[]>`
        SELECT max(il.position) AS position FROM image_layer il
        WHERE il.image_id <> ${imageId}::uuid
          AND (il.position, il.chain_id) IN (SELECT * FROM unnest(${positions}::int[], ${below}::text[]))
          AND NOT EXISTS (SELECT 1 FROM image_layer same WHERE same.image_id = il.image_id
                          AND same.position = ${n - 1} AND same.chain_id = ${chains[n - 1] ?? ''})`;
      if (shared?.position !== null && shared?.position !== undefined) {
        base = { count: shared.position + 1, name: null };
        // The images it shares that stack with (not copies of it) share the same base.
        const k = shared.position + 1;
        await tx.$executeRaw`
          UPDATE image y SET base_layer_count = ${k}
          WHERE y.id <> ${imageId}::uuid AND y.base_layer_count < ${k}
            AND EXISTS (SELECT 1 FROM image_layer c WHERE c.image_id = y.id AND c.position = ${k - 1}
                        AND c.chain_id = ${chains[k - 1] ?? ''})
            AND NOT EXISTS (SELECT 1 FROM image_layer c WHERE c.image_id = y.id AND c.position = ${n - 1}
                            AND c.chain_id = ${chains[n - 1] ?? ''})
            AND EXISTS (SELECT 1 FROM image_layer c WHERE c.image_id = y.id AND c.position = ${k})`;
      }
    }
  }
  await tx.image.update({
    where: { id: imageId },
    data: {
      baseLayerCount: base.count,
      baseName: base.count > 0 && baseLabel ? baseLabel.slice(0, 300) : base.name,
    },
  });
  // Images built on this one (its whole stack is their bottom) take it as their base.
  if (n > 0) {
    await tx.$executeRaw`
      UPDATE image y SET base_layer_count = ${n}, base_name = ${name}
      WHERE y.id <> ${imageId}::uuid
        AND (y.base_layer_count < ${n} OR (y.base_layer_count = ${n} AND y.base_name IS NULL))
        AND EXISTS (SELECT 1 FROM image_layer c WHERE c.image_id = y.id AND c.position = ${n - 1}
                    AND c.chain_id = ${chains[n - 1] ?? ''})
        AND EXISTS (SELECT 1 FROM image_layer c WHERE c.image_id = y.id AND c.position = ${n})`;
  }
}

/**
 * The image a new digest replaces in its repository: a scanned image with one of its tags, else
 * the scanned image that most recently left the registry (a sync clears the tags of an image no
 * tag points at any more, which is what happens when a tag moves to a new digest).
 */
async function previousDigest(tx: Tx, repositoryId: string, imageId: string, tags: string[]) {
  const scanned = { repositoryId, id: { not: imageId }, lastScanAt: { not: null } };
  const select = { id: true, lastScanAt: true } as const;
  const byTag = tags.length
    ? await tx.image.findFirst({
        where: { ...scanned, tags: { hasSome: tags } },
        orderBy: { lastScanAt: 'desc' },
        select,
      })
    : null;
  return (
    byTag ??
    (await tx.image.findFirst({
      where: { ...scanned, goneAt: { not: null } },
      orderBy: { goneAt: 'desc' },
      select,
    }))
  );
}

/**
 * Writes what this scan changed for the image (docs/api.md, "What changed"):
 * - the same image again (same digest): new, reintroduced and resolved findings, caused by an
 *   advisory database or scanner update (its content cannot have changed);
 * - a new digest of a tag an earlier image of the repository had: its findings compared with that
 *   image's (by vulnerability and package, samples by hash and path) — new and resolved by new
 *   image content;
 * - anything else: every finding is new, at its first scan.
 */
async function recordChanges(
  tx: Tx,
  c: {
    imageId: string;
    existing: boolean;
    repositoryId: string | null;
    tags: string[];
    at: Date;
    scanJobId: string | null;
    cause: 'advisories';
    vulns: Vuln[];
    plan: ReturnType<typeof planReconcile<Vuln, StoredVuln>>;
    samples: Sample[];
    samplePlan: ReturnType<typeof planReconcile<Sample, StoredSample>>;
  },
) {
  const base = { at: c.at, imageId: c.imageId, scanJobId: c.scanJobId };
  const ofStored = (
    f: Omit<StoredVuln, 'id' | 'status'>,
    change: string,
    cause: string,
    previousImageId?: string,
  ): ChangeRow => ({
    ...base,
    ...(previousImageId ? { previousImageId } : {}),
    kind: 'vulnerability',
    targetId: f.vulnerabilityId,
    change,
    cause,
    category: f.category,
    packageName: f.packageName,
    installedVersion: f.installedVersion,
    path: f.path,
    priority: f.priority,
  });
  const ofVuln = (v: Vuln, change: string, cause: string, previousImageId?: string) => {
    const { id: vulnerabilityId, category, packageName, installedVersion, path, priority } = v;
    const found = { vulnerabilityId, category, packageName, installedVersion, path, priority };
    return ofStored(found, change, cause, previousImageId);
  };
  const ofSample = (
    s: { sha256: string; path: string },
    change: string,
    cause: string,
    previousImageId?: string,
  ): ChangeRow => ({
    ...base,
    ...(previousImageId ? { previousImageId } : {}),
    kind: 'sample',
    targetId: s.sha256,
    change,
    cause,
    path: s.path,
  });
  const rows: ChangeRow[] = [];
  if (c.existing) {
    rows.push(
      ...c.plan.fresh.map((v) => ofVuln(v, 'new', c.cause)),
      ...c.plan.reopened.map(({ item }) => ofVuln(item, 'reintroduced', c.cause)),
      ...c.plan.gone.map((f) => ofStored(f, 'resolved', c.cause)),
      ...c.samplePlan.fresh.map((s) => ofSample(s, 'new', c.cause)),
      ...c.samplePlan.reopened.map(({ item }) => ofSample(item, 'reintroduced', c.cause)),
      ...c.samplePlan.gone.map((f) =>
        ofSample({ sha256: f.sampleSha256, path: f.path }, 'resolved', c.cause),
      ),
    );
  } else {
    const previous = c.repositoryId
      ? await previousDigest(tx, c.repositoryId, c.imageId, c.tags)
      : null;
    if (!previous) {
      rows.push(
        ...c.plan.fresh.map((v) => ofVuln(v, 'new', 'first_scan')),
        ...c.samplePlan.fresh.map((s) => ofSample(s, 'new', 'first_scan')),
      );
    } else {
      const key = (vulnerabilityId: string, packageName: string) =>
        `${vulnerabilityId}|${packageName}`;
      // What its last scan found (a sync that saw it leave the registry resolved them since).
      const earlier = await tx.finding.findMany({
        where: { imageId: previous.id, lastSeenAt: previous.lastScanAt ?? undefined },
        select: CHANGE_FIELDS,
      });
      const had = new Set(earlier.map((f) => key(f.vulnerabilityId, f.packageName)));
      const has = new Set(c.vulns.map((v) => key(v.id, v.packageName)));
      const seen = new Set<string>();
      for (const v of c.vulns) {
        const k = key(v.id, v.packageName);
        if (had.has(k) || seen.has(k)) continue;
        seen.add(k);
        rows.push(ofVuln(v, 'new', 'image_content', previous.id));
      }
      for (const f of earlier) {
        const k = key(f.vulnerabilityId, f.packageName);
        if (has.has(k) || seen.has(`gone|${k}`)) continue;
        seen.add(`gone|${k}`);
        rows.push(ofStored(f, 'resolved', 'image_content', previous.id));
      }
      const earlierSamples = await tx.sampleFinding.findMany({
        where: { imageId: previous.id, lastSeenAt: previous.lastScanAt ?? undefined },
        select: { sampleSha256: true, path: true },
      });
      const hadSample = new Set(earlierSamples.map((s) => `${s.sampleSha256}|${s.path}`));
      const hasSample = new Set(c.samples.map((s) => `${s.sha256}|${s.path}`));
      for (const s of c.samples) {
        if (!hadSample.has(`${s.sha256}|${s.path}`))
          rows.push(ofSample(s, 'new', 'image_content', previous.id));
      }
      for (const s of earlierSamples) {
        if (!hasSample.has(`${s.sampleSha256}|${s.path}`)) {
          rows.push(
            ofSample(
              { sha256: s.sampleSha256, path: s.path },
              'resolved',
              'image_content',
              previous.id,
            ),
          );
        }
      }
    }
  }
  for (let i = 0; i < rows.length; i += 5000) {
    await tx.findingChange.createMany({ data: rows.slice(i, i + 5000) });
  }
}

export async function persistScan(
  prisma: PrismaClient,
  where: ImageLocation,
  report: ScanReport,
  scannedAt = new Date(),
  options: {
    analysisKey?: string;
    /** The scan job that produced the result (its changes link to it). */
    scanJobId?: string;
    /**
     * Why a rescan of the same image found something else: `advisories` (a re-match after an
     * import; the default for the same digest, whose content cannot have changed).
     */
    cause?: 'advisories';
  } = {},
): Promise<PersistResult> {
  return prisma.$transaction(
    async (tx) => {
      const repositoryId = await resolveRepository(tx, where);
      const digest = report.target.manifestDigest ?? report.target.configDigest;
      const existing = await tx.image.findFirst({
        where: { repositoryId, digest },
        select: { id: true, lastScanAt: true },
      });
      const data = {
        tags: report.target.repoTags,
        platform: report.target.platform,
        lastScanAt: scannedAt,
        name: where.name,
        osFamily: report.os?.family ?? null,
        osVersion: report.os?.version ?? null,
        packageCount: report.packages.length,
        warnings: storedWarnings(report.warnings),
        advisoryDb: report.advisoryDb
          ? (JSON.parse(JSON.stringify(report.advisoryDb)) as Prisma.InputJsonValue)
          : Prisma.DbNull,
        goneAt: null,
        ...(options.analysisKey ? { analysisKey: options.analysisKey } : {}),
      };
      const image = existing
        ? await tx.image.update({ where: { id: existing.id }, data, select: { id: true } })
        : await tx.image.create({ data: { repositoryId, digest, ...data }, select: { id: true } });

      // One writer per image at a time: a retried job racing a slow one waits, never duplicates.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${image.id}))`;

      // Layers are content-addressed and shared between images.
      await tx.layer.createMany({
        data: report.layers.map((l) => ({ diffId: l.diffId, size: BigInt(l.size) })),
        skipDuplicates: true,
      });
      await tx.imageLayer.deleteMany({ where: { imageId: image.id } });
      const chains = chainIds(report.layers.map((l) => l.diffId));
      await tx.imageLayer.createMany({
        data: report.layers.map((l, i) => ({
          imageId: image.id,
          position: l.index,
          diffId: l.diffId,
          digest: l.digest,
          createdBy: l.createdBy ?? null,
          chainId: chains[i] ?? null,
        })),
      });
      await assignBase(
        tx,
        image.id,
        where.name,
        chains,
        report.target.labels?.['org.opencontainers.image.base.name'],
      );

      // Active ignore rules apply to what this scan finds for the first time.
      const repo = repositoryId
        ? await tx.repository.findUnique({
            where: { id: repositoryId },
            include: { namespace: true },
          })
        : null;
      const scopeIds = new Set([
        image.id,
        ...(repo ? [repo.id, repo.namespaceId, repo.namespace.instanceId] : []),
      ]);
      const activeRules = await tx.triageRule.findMany({
        where: {
          revokedAt: null,
          OR: [{ expiresAt: null }, { expiresAt: { gt: scannedAt } }],
          targetId: {
            in: [
              ...(report.vulnerabilities ?? []).map((v) => v.id),
              ...(report.maliciousSamples ?? []).map((m) => m.sha256),
              ...(report.sensitive ?? []).map((f) => f.id),
            ],
          },
        },
      });
      // A base rule covers what this image's layers up to the base's top layer brought (the
      // same chain id there: the same stack below); a scoped principal's rule stays in its scope.
      const chainPosition = new Map(chains.map((c, i) => [c, i]));
      const inScope = (r: (typeof activeRules)[number]) => {
        if (!r.limited) return true;
        return repo
          ? r.limitInstanceIds.includes(repo.namespace.instanceId) ||
              r.limitNamespaceIds.includes(repo.namespaceId)
          : false;
      };
      const covers = (r: (typeof activeRules)[number], layerIndex: number) => {
        if (r.scopeType !== 'base') return scopeIds.has(r.scopeId);
        const top = r.scopeChainId ? chainPosition.get(r.scopeChainId) : undefined;
        return top !== undefined && layerIndex <= top;
      };
      const ruleFor = (kind: string, targetId: string, layerIndex: number) =>
        activeRules.find(
          (r) => r.kind === kind && r.targetId === targetId && covers(r, layerIndex) && inScope(r),
        );
      const initialStatus = (kind: string, targetId: string, layerIndex: number) => {
        const rule = ruleFor(kind, targetId, layerIndex);
        return rule
          ? {
              status: 'ignored' as const,
              ignoreExpiresAt: rule.expiresAt,
              triageDecision: rule.decision ?? 'ignored',
              triageJustification: rule.justification,
            }
          : {};
      };

      const vulns = report.vulnerabilities ?? [];
      const byId = new Map(vulns.map((v) => [v.id, v]));
      // One statement for all vulnerabilities of the scan (shared rows, refreshed).
      if (byId.size) {
        const rows = [...byId.values()].map((v) => ({
          id: v.id,
          title: v.title,
          description: v.description ?? null,
          severity: v.severity,
          severity_source: v.severitySource ?? null,
          title_source: v.titleSource ?? null,
          cvss_score: v.cvss?.score ?? null,
          cvss_vector: v.cvss?.vector ?? null,
          known_exploited: v.knownExploited,
          aliases: v.aliases,
          refs: v.references,
        }));
        await tx.$executeRaw`
          INSERT INTO vulnerability (id, title, description, severity, severity_source, title_source, cvss_score, cvss_vector, known_exploited, aliases, "references", updated_at)
          SELECT r.id, r.title, r.description, r.severity, r.severity_source, r.title_source, r.cvss_score, r.cvss_vector, r.known_exploited,
                 ARRAY(SELECT jsonb_array_elements_text(r.aliases)), ARRAY(SELECT jsonb_array_elements_text(r.refs)), now()
          FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(id text, title text, description text, severity text,
               severity_source text, title_source text, cvss_score float8, cvss_vector text, known_exploited boolean, aliases jsonb, refs jsonb)
          ON CONFLICT (id) DO UPDATE SET title = EXCLUDED.title, description = EXCLUDED.description,
            severity = EXCLUDED.severity, severity_source = EXCLUDED.severity_source, title_source = EXCLUDED.title_source,
            cvss_score = EXCLUDED.cvss_score, cvss_vector = EXCLUDED.cvss_vector,
            known_exploited = EXCLUDED.known_exploited, aliases = EXCLUDED.aliases, "references" = EXCLUDED."references",
            updated_at = now()
          WHERE (vulnerability.title, vulnerability.severity, vulnerability.severity_source, vulnerability.title_source,
                 vulnerability.cvss_score, vulnerability.known_exploited)
            IS DISTINCT FROM (EXCLUDED.title, EXCLUDED.severity, EXCLUDED.severity_source, EXCLUDED.title_source,
                 EXCLUDED.cvss_score, EXCLUDED.known_exploited)`;
      }

      const before = await tx.finding.findMany({
        where: { imageId: image.id },
        select: CHANGE_FIELDS,
      });
      const plan = planReconcile(
        vulns,
        before,
        (v) => `${v.id}|${v.purl}|${v.path}`,
        (f) => `${f.vulnerabilityId}|${f.purl}|${f.path}`,
      );
      const fieldsOf = (v: (typeof vulns)[number]) => ({
        category: v.category,
        packageName: v.packageName,
        packageType: v.packageType,
        installedVersion: v.installedVersion,
        fixedVersion: v.fixedVersion ?? null,
        layerIndex: v.layerIndex,
        layerDiffId: v.layerDiffId,
        createdBy: v.createdBy ?? null,
        fixStatus: v.status,
        priority: v.priority,
        priorityReason: v.priorityReason,
        cause: v.cause,
        declared: v.declared === true,
        fixCommand: v.fixCommand ?? null,
        lastSeenAt: scannedAt,
      });
      for (const { item: v, old } of plan.reopened) {
        await tx.finding.update({
          where: { id: old.id },
          data: {
            ...fieldsOf(v),
            status: 'open',
            resolvedAt: null,
            triageDecision: null,
            triageJustification: null,
            ...initialStatus('vulnerability', v.id, v.layerIndex),
          },
        });
      }
      const creates = plan.fresh.map((v) => ({
        vulnerabilityId: v.id,
        imageId: image.id,
        purl: v.purl,
        path: v.path,
        firstSeenAt: scannedAt,
        ...fieldsOf(v),
        ...initialStatus('vulnerability', v.id, v.layerIndex),
      }));
      const stillPresent = plan.still.map(({ item, old }) => ({ id: old.id, ...fieldsOf(item) }));
      if (creates.length) await tx.finding.createMany({ data: creates });
      // Findings seen again keep their status and triage; their details refresh in one statement.
      if (stillPresent.length) {
        await tx.$executeRaw`
          UPDATE finding f SET category = r."category", package_name = r."packageName",
            package_type = r."packageType", installed_version = r."installedVersion",
            fixed_version = r."fixedVersion", layer_index = r."layerIndex",
            layer_diff_id = r."layerDiffId", created_by = r."createdBy", fix_status = r."fixStatus",
            priority = r."priority"::priority, priority_reason = r."priorityReason", cause = r."cause",
            declared = r."declared", fix_command = r."fixCommand", last_seen_at = ${scannedAt}
          FROM jsonb_to_recordset(${JSON.stringify(stillPresent)}::jsonb) AS r(id uuid, "category" text,
            "packageName" text, "packageType" text, "installedVersion" text, "fixedVersion" text,
            "layerIndex" int, "layerDiffId" text, "createdBy" text, "fixStatus" text, "priority" text,
            "priorityReason" text, "cause" text, "declared" boolean, "fixCommand" text)
          WHERE f.id = r.id`;
      }
      if (plan.gone.length) {
        await tx.finding.updateMany({
          where: { id: { in: plan.gone.map((f) => f.id) } },
          data: { status: 'resolved', resolvedAt: scannedAt },
        });
      }

      const samples = report.maliciousSamples ?? [];
      const beforeSamples = await tx.sampleFinding.findMany({
        where: { imageId: image.id },
        select: { id: true, sampleSha256: true, path: true, status: true },
      });
      const samplePlan = planReconcile(
        samples,
        beforeSamples,
        (s) => `${s.sha256}|${s.path}`,
        (f) => `${f.sampleSha256}|${f.path}`,
      );
      // The sample itself (by hash) is shared by every image that ships it.
      for (const s of new Map(samples.map((x) => [x.sha256, x])).values()) {
        const fields = {
          md5: s.md5,
          size: s.size,
          name: s.name,
          category: s.category,
          severity: s.severity,
          matchedRules: s.matchedRules,
          reason: s.reason,
          references: s.references,
          lastSeenAt: scannedAt,
        };
        await tx.maliciousSample.upsert({
          where: { sha256: s.sha256 },
          create: { sha256: s.sha256, firstSeenAt: scannedAt, ...fields },
          update: fields,
        });
      }
      const placementOf = (s: (typeof samples)[number]) => ({
        layerIndex: s.layerIndex,
        layerDiffId: s.layerDiffId,
        createdBy: s.createdBy ?? null,
        deletedInLayer: s.deletedInLayer ?? null,
        lastSeenAt: scannedAt,
      });
      for (const { item: s, old } of samplePlan.reopened) {
        await tx.sampleFinding.update({
          where: { id: old.id },
          data: {
            ...placementOf(s),
            status: 'open',
            resolvedAt: null,
            triageDecision: null,
            triageJustification: null,
            ...initialStatus('sample', s.sha256, s.layerIndex),
          },
        });
      }
      if (samplePlan.fresh.length) {
        await tx.sampleFinding.createMany({
          data: samplePlan.fresh.map((s) => ({
            sampleSha256: s.sha256,
            imageId: image.id,
            path: s.path,
            firstSeenAt: scannedAt,
            ...placementOf(s),
            ...initialStatus('sample', s.sha256, s.layerIndex),
          })),
        });
      }
      const samplesStillPresent = samplePlan.still.map(({ item, old }) => ({
        id: old.id,
        ...placementOf(item),
      }));
      if (samplesStillPresent.length) {
        await tx.$executeRaw`
          UPDATE sample_finding f SET layer_index = r."layerIndex", layer_diff_id = r."layerDiffId",
            created_by = r."createdBy", deleted_in_layer = r."deletedInLayer", last_seen_at = ${scannedAt}
          FROM jsonb_to_recordset(${JSON.stringify(samplesStillPresent)}::jsonb) AS r(id uuid,
            "layerIndex" int, "layerDiffId" text, "createdBy" text, "deletedInLayer" int)
          WHERE f.id = r.id`;
      }
      if (samplePlan.gone.length) {
        await tx.sampleFinding.updateMany({
          where: { id: { in: samplePlan.gone.map((f) => f.id) } },
          data: { status: 'resolved', resolvedAt: scannedAt },
        });
      }
      // Sensitive content is reconciled only when the scan looked for it.
      const sensitive = report.sensitive
        ? await persistSensitive(tx, image.id, report.sensitive, scannedAt, (id, layer) =>
            initialStatus('sensitive', id, layer),
          )
        : undefined;
      await recordChanges(tx, {
        imageId: image.id,
        // A registry sync creates the row before the first scan: "scanned before" is what counts.
        existing: existing?.lastScanAt != null,
        repositoryId,
        tags: report.target.repoTags,
        at: scannedAt,
        scanJobId: options.scanJobId ?? null,
        cause: options.cause ?? 'advisories',
        vulns,
        plan,
        samples,
        samplePlan,
      });
      return {
        imageId: image.id,
        findings: plan.counts,
        samples: samplePlan.counts,
        ...(sensitive ? { sensitive } : {}),
      };
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}
