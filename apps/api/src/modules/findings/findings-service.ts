import {
  AdvisoryDbUsedSchema,
  ChangeCauseSchema,
  FindingChangeTypeSchema,
  ImageWarningSchema,
  PRIORITY_RANK,
  PrioritySchema,
  priorityOfRank,
  type SampleSeverity,
  SensitiveKindSchema,
  type Severity,
  TriageKindSchema,
} from '@drydock/contract';
import { z } from 'zod';
import type { Visibility } from '../../auth/permissions.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { toPage } from '../../lib/paging.ts';
import { emptyCounts, type FindingsRepository } from './findings-repository.ts';
import type { TriageService } from './triage-service.ts';

const SAMPLE_CAUTION =
  'Malicious samples like this can make memory executable, change proxy settings or open backdoors to intrude the server: rebuild the image from a clean base and investigate where the file came from.';

type Repo = FindingsRepository;
type ImageRecord = Awaited<ReturnType<Repo['images']>>[number];

/** Stored warnings as the contract has them; anything else stored there reads as none. */
const StoredWarningsSchema = z.array(ImageWarningSchema).catch([]);
/** The stored advisory database record; anything unreadable reads as not recorded. */
const StoredAdvisoryDbSchema = AdvisoryDbUsedSchema.nullable().catch(null);

export function createFindingsService(
  repo: Repo,
  triage: TriageService,
  now: () => Date = () => new Date(),
) {
  const imageRows = async (records: ImageRecord[]) => {
    const counts = await repo.imageCounts(records.map((r) => r.id));
    return records.map((i) => ({
      id: i.id,
      digest: i.digest,
      name: i.name,
      tags: i.tags,
      platform: i.platform,
      repository: i.repository?.name ?? null,
      repositoryId: i.repository?.id ?? null,
      namespace: i.repository?.namespace.name ?? null,
      instanceId: i.repository?.namespace.instanceId ?? null,
      lastScanAt: i.lastScanAt?.toISOString() ?? null,
      counts: counts.get(i.id) ?? emptyCounts(),
      warnings: StoredWarningsSchema.parse(i.warnings),
      advisoryDb: StoredAdvisoryDbSchema.parse(i.advisoryDb ?? null),
    }));
  };

  return {
    /** What changed for a scan, an image or the fleet since a moment, newest first. */
    async listChanges(q: Parameters<Repo['listChanges']>[0]) {
      const { rows, total, summary } = await repo.listChanges(q);
      const ref = (id: string | null, name: string | null, digest: string | null) =>
        id ? { id, name: name ?? '', digest: digest ?? '' } : null;
      return {
        ...toPage(
          q,
          rows.map((r) => ({
            at: r.at.toISOString(),
            kind: TriageKindSchema.parse(r.kind),
            targetId: r.target_id,
            title: r.title,
            change: FindingChangeTypeSchema.parse(r.change),
            cause: ChangeCauseSchema.parse(r.cause),
            category: r.category,
            packageName: r.package_name,
            installedVersion: r.installed_version,
            path: r.path,
            priority: r.priority,
            image: { id: r.image_id, name: r.image_name, digest: r.image_digest },
            previousImage: ref(r.prev_id, r.prev_name, r.prev_digest),
          })),
          total,
        ),
        summary: summary.map((s) => ({
          change: FindingChangeTypeSchema.parse(s.change),
          cause: ChangeCauseSchema.parse(s.cause),
          kind: TriageKindSchema.parse(s.kind),
          count: Number(s.count),
        })),
      };
    },

    /** Every finding of a vulnerability tab's filter, in pages (the export). */
    exportFindings(q: Parameters<Repo['exportFindings']>[0]) {
      return repo.exportFindings(q);
    },

    async listVulnerabilities(q: Parameters<Repo['listVulnerabilities']>[0]) {
      await triage.resurfaceExpired();
      const { items, total } = await repo.listVulnerabilities(q);
      return toPage(q, items, total);
    },
    async listSamples(q: Parameters<Repo['listSamples']>[0]) {
      await triage.resurfaceExpired();
      const { items, total } = await repo.listSamples(q);
      return toPage(q, items, total);
    },
    async listSensitive(q: Parameters<Repo['listSensitive']>[0]) {
      await triage.resurfaceExpired();
      const { items, total } = await repo.listSensitive(q);
      return toPage(q, items, total);
    },

    /** A sensitive row: what it is, how to fix it, and where it is in each image (never a secret). */
    async sensitiveDetail(id: string, visible: Visibility = null) {
      await triage.resurfaceExpired();
      const s = await repo.sensitiveItem(id, visible);
      if (!s || (visible && s.findings.length === 0))
        throw new NotFoundError(`No sensitive content ${id}`);
      const first = new Date(
        Math.min(s.firstSeenAt.getTime(), ...s.findings.map((f) => f.firstSeenAt.getTime())),
      );
      return {
        id: s.id,
        kind: SensitiveKindSchema.catch('secret').parse(s.kind),
        ruleId: s.ruleId,
        title: s.title,
        category: s.category,
        priority: s.priority,
        preview: s.preview,
        affectedImages: new Set(s.findings.map((f) => f.imageId)).size,
        firstScanAt: first.toISOString(),
        lastScanAt: s.lastSeenAt.toISOString(),
        processingStatus: s.findings[0]?.status ?? 'resolved',
        fix: s.fix,
        references: s.references,
        secretSha256: s.secretSha256,
        packagePurl: s.packagePurl,
        vulnerabilities: s.vulnerabilities,
        source: s.source,
        history: await triage.history('sensitive', s.id, visible),
        occurrences: s.findings.map((f) => ({
          image: f.image,
          location: f.location,
          line: f.line || null,
          layerIndex: f.layerIndex,
          layerDiffId: f.layerDiffId,
          createdBy: f.createdBy,
          deletedInLayer: f.deletedInLayer,
          deletedBy: f.deletedBy,
          description: f.description,
          status: f.status,
        })),
      };
    },

    async vulnerabilityDetail(id: string, visible: Visibility = null) {
      await triage.resurfaceExpired();
      const v = await repo.vulnerability(id);
      if (!v) throw new NotFoundError(`No vulnerability ${id}`);
      const impact = await repo.impact(id, visible);
      // A scoped principal learns nothing of a vulnerability outside its images.
      if (visible && impact.length === 0) throw new NotFoundError(`No vulnerability ${id}`);
      const top = impact.reduce<(typeof impact)[number] | undefined>(
        (best, f) => (!best || PRIORITY_RANK[f.priority] > PRIORITY_RANK[best.priority] ? f : best),
        undefined,
      );
      const cve = [v.id, ...v.aliases].find((a) => /^CVE-\d{4}-\d+$/.test(a));
      return {
        id: v.id,
        title: v.title,
        description: v.description,
        severity: v.severity as Severity,
        severitySource: v.severitySource,
        titleSource: v.titleSource,
        cvss: v.cvssScore !== null ? { score: v.cvssScore, vector: v.cvssVector } : null,
        knownExploited: v.knownExploited,
        aliases: v.aliases,
        links: [
          ...(cve
            ? [`https://nvd.nist.gov/vuln/detail/${cve}`, `https://www.cve.org/CVERecord?id=${cve}`]
            : []),
          `https://osv.dev/vulnerability/${v.id}`,
        ],
        references: v.references,
        priority: top?.priority ?? 'low',
        priorityReason: top?.priorityReason ?? 'Low: no open finding',
        fixCommands: [...new Set(impact.flatMap((f) => (f.fixCommand ? [f.fixCommand] : [])))],
        impact: impact.map((f) => ({
          findingId: f.id,
          image: { id: f.image.id, digest: f.image.digest, name: f.image.name },
          introducedBy:
            f.layerIndex < f.image.baseLayerCount ? ('base' as const) : ('own' as const),
          baseName: f.layerIndex < f.image.baseLayerCount ? f.image.baseName : null,
          packageName: f.packageName,
          packageType: f.packageType,
          installedVersion: f.installedVersion,
          fixedVersion: f.fixedVersion,
          fixCommand: f.fixCommand,
          cause: f.cause,
          path: f.path,
          declared: f.declared,
          layerIndex: f.layerIndex,
          layerDiffId: f.layerDiffId,
          createdBy: f.createdBy,
          priority: f.priority,
          priorityReason: f.priorityReason,
          status: f.status,
          decision: f.triageDecision,
          justification: f.triageJustification,
        })),
        history: await triage.history('vulnerability', v.id, visible),
        caution: [
          ...(v.knownExploited
            ? ['Known to be exploited in the wild (CISA KEV): treat as urgent.']
            : []),
          ...(impact.some((f) => !f.fixedVersion)
            ? [
                'Some affected packages have no fixed version yet: consider mitigations or replacing the package.',
              ]
            : []),
        ],
      };
    },

    async vulnerabilityImages(id: string, q: Parameters<Repo['vulnerabilityImages']>[1]) {
      if (!(await repo.vulnerability(id))) throw new NotFoundError(`No vulnerability ${id}`);
      if (q.visible && (await repo.impact(id, q.visible, 1)).length === 0) {
        throw new NotFoundError(`No vulnerability ${id}`);
      }
      const { ids, total } = await repo.vulnerabilityImages(id, q);
      return toPage(q, await imageRows(await repo.images(ids)), total);
    },

    async sampleDetail(sha256: string, visible: Visibility = null) {
      await triage.resurfaceExpired();
      const s = await repo.sample(sha256, visible);
      if (!s || (visible && s.findings.length === 0)) {
        throw new NotFoundError(`No malicious sample ${sha256}`);
      }
      const first = new Date(
        Math.min(s.firstSeenAt.getTime(), ...s.findings.map((f) => f.firstSeenAt.getTime())),
      );
      return {
        sha256: s.sha256,
        md5: s.md5,
        size: s.size,
        name: s.name,
        category: s.category,
        severity: s.severity as SampleSeverity,
        affectedImages: new Set(s.findings.map((f) => f.imageId)).size,
        firstScanAt: first.toISOString(),
        lastScanAt: s.lastSeenAt.toISOString(),
        processingStatus: (s.findings[0]?.status ?? 'resolved') as
          | 'open'
          | 'ignored'
          | 'handled'
          | 'resolved',
        matchedRules: s.matchedRules,
        reason: s.reason,
        references: s.references,
        caution: SAMPLE_CAUTION,
        history: await triage.history('sample', s.sha256, visible),
        occurrences: s.findings.map((f) => ({
          image: f.image,
          path: f.path,
          layerIndex: f.layerIndex,
          layerDiffId: f.layerDiffId,
          createdBy: f.createdBy,
          deletedInLayer: f.deletedInLayer,
          status: f.status,
        })),
      };
    },

    async listImages(q: Parameters<Repo['listImages']>[0]) {
      const { ids, total } = await repo.listImages(q);
      return toPage(q, await imageRows(await repo.images(ids)), total);
    },

    async imageDetail(digest: string, visible: Visibility = null) {
      const image = await repo.imageByDigest(digest, visible);
      if (!image) throw new NotFoundError(`No image ${digest}`);
      const [row] = await imageRows([image]);
      return row;
    },

    trend(days: number, visible: Visibility = null) {
      return repo.trend(days, now(), visible);
    },

    async summary(visible: Visibility = null) {
      await triage.resurfaceExpired();
      const { tabs, samples, images, lastScanAt } = await repo.summary(visible);
      const sensitive = { high: 0, medium: 0, low: 0, total: 0 };
      for (const r of await repo.sensitiveSummary(visible)) {
        const key = PrioritySchema.catch('low').parse(r.priority);
        sensitive[key] += Number(r.n);
        sensitive.total += Number(r.n);
      }
      const tab = (category: string) => {
        const out = { high: 0, medium: 0, low: 0, total: 0 };
        for (const t of tabs.filter((x) => x.category === category)) {
          const key = priorityOfRank(t.prank);
          out[key] += Number(t.n);
          out.total += Number(t.n);
        }
        return out;
      };
      const malicious = { urgent: 0, warning: 0, notice: 0, total: 0 };
      for (const s of samples) {
        if (s.severity === 'urgent' || s.severity === 'warning' || s.severity === 'notice') {
          malicious[s.severity] += Number(s.n);
          malicious.total += Number(s.n);
        }
      }
      return {
        system: tab('system'),
        application: tab('application'),
        sensitive,
        malicious,
        images,
        lastScanAt: lastScanAt?.toISOString() ?? null,
      };
    },
  };
}
export type FindingsService = ReturnType<typeof createFindingsService>;
