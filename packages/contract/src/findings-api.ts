import { z } from 'zod';
import { pageOf } from './envelopes.ts';
import { SampleSeveritySchema } from './malware.ts';
import { AdvisoryDbUsedSchema } from './scan-report.ts';
import { SensitiveKindSchema } from './sensitive.ts';
import { CategorySchema, PrioritySchema, SeveritySchema } from './vulnerability.ts';

/** Comma-separated or repeated query values, e.g. `priority=high,medium` or `priority=high&priority=low`. */
const multi = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .union([z.string(), z.array(z.string())])
    .transform((v) =>
      (Array.isArray(v) ? v : [v])
        .flatMap((s) => s.split(','))
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item).max(10));

const text = z.string().trim().min(1).max(200);

export const ImageScopeQuerySchema = z.object({
  instanceId: z.uuid().optional(),
  namespace: text.optional(),
  repository: text.optional(),
  digest: z
    .string()
    .trim()
    .regex(/^(sha256:)?[0-9a-f]{4,64}$/, 'a sha256 digest or its prefix')
    .optional(),
});

const page = {
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(25),
};

export const FindingStatusFilterSchema = z.enum(['open', 'ignored', 'handled', 'resolved']);

/** An ignore's decision, as a list filter (with `status=ignored`). */
export const DecisionFilterSchema = z.enum([
  'ignored',
  'not_affected',
  'accepted_risk',
  'false_positive',
]);

/** Whether a finding came with the image's base (its shared bottom layers) or its own layers. */
export const IntroducedBySchema = z.enum(['base', 'own']);
export type IntroducedBy = z.infer<typeof IntroducedBySchema>;

export const ListVulnerabilitiesQuerySchema = ImageScopeQuerySchema.extend({
  category: CategorySchema,
  priority: multi(PrioritySchema).optional(),
  name: text.optional(),
  status: FindingStatusFilterSchema.default('open'),
  /** `installed`: only packages found installed; `declared`: only lock/manifest entries. */
  found: z.enum(['installed', 'declared']).optional(),
  introducedBy: IntroducedBySchema.optional(),
  /** Findings ignored with this decision (not affected, accepted risk, false positive…). */
  decision: DecisionFilterSchema.optional(),
  sort: z.enum(['priority', 'images', 'lastScanAt', 'id']).default('priority'),
  order: z.enum(['asc', 'desc']).default('desc'),
  ...page,
}).strict();
export type ListVulnerabilitiesQuery = z.infer<typeof ListVulnerabilitiesQuerySchema>;

export const VulnerabilityRowSchema = z.object({
  id: z.string(),
  title: z.string(),
  severity: SeveritySchema,
  priority: PrioritySchema,
  tags: z.array(z.string()),
  affectedImages: z.number().int(),
  affectedPackages: z.number().int(),
  lastScanAt: z.iso.datetime().nullable(),
});
export type VulnerabilityRow = z.infer<typeof VulnerabilityRowSchema>;

export const VulnerabilityListSchema = pageOf(VulnerabilityRowSchema);

export const ImpactSchema = z.object({
  findingId: z.uuid(),
  image: z.object({ id: z.uuid(), digest: z.string(), name: z.string() }),
  packageName: z.string(),
  packageType: z.string(),
  installedVersion: z.string(),
  fixedVersion: z.string().nullable(),
  fixCommand: z.string().nullable(),
  cause: z.string(),
  path: z.string(),
  /** Known only from the lock or manifest file at `path`, not found installed (lower confidence). */
  declared: z.boolean(),
  layerIndex: z.number().int(),
  layerDiffId: z.string(),
  createdBy: z.string().nullable(),
  priority: PrioritySchema,
  priorityReason: z.string(),
  status: FindingStatusFilterSchema,
  /** Brought by the image's base (its shared bottom layers, named when known) or its own layers. */
  introducedBy: IntroducedBySchema.optional(),
  baseName: z.string().nullable().optional(),
  /** While ignored: the decision (not_affected, accepted_risk, false_positive, ignored). */
  decision: z.string().nullable().optional(),
  justification: z.string().nullable().optional(),
});

export const VulnerabilityDetailSchema = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string().nullable(),
  severity: SeveritySchema,
  /** Where the severity came from ("Ubuntu priority", "CVE record CVSS"…); null: none published. */
  severitySource: z.string().nullable(),
  /** Where the title came from ("advisory summary", "CVE record description"…). */
  titleSource: z.string().nullable(),
  cvss: z.object({ score: z.number(), vector: z.string().nullable() }).nullable(),
  knownExploited: z.boolean(),
  aliases: z.array(z.string()),
  links: z.array(z.string()),
  references: z.array(z.string()),
  priority: PrioritySchema,
  priorityReason: z.string(),
  fixCommands: z.array(z.string()),
  impact: z.array(ImpactSchema),
  caution: z.array(z.string()),
  history: z.lazy(() => z.array(TriageEventSchema)),
});

/**
 * Something the last scan of an image could not look at, and why. `advisories_missing` /
 * `advisories_unsupported`: packages not checked for vulnerabilities (no advisories imported for
 * the OS release or ecosystem, or none published); others: files skipped, unreadable databases.
 */
export const ImageWarningSchema = z.object({
  code: z.string(),
  message: z.string(),
  path: z.string().optional(),
  layerIndex: z.number().int().optional(),
});
export type ImageWarning = z.infer<typeof ImageWarningSchema>;

export const ImageRowSchema = z.object({
  id: z.uuid(),
  digest: z.string(),
  name: z.string(),
  tags: z.array(z.string()),
  platform: z.string().nullable(),
  repository: z.string().nullable(),
  repositoryId: z.uuid().nullable(),
  namespace: z.string().nullable(),
  instanceId: z.uuid().nullable(),
  lastScanAt: z.iso.datetime().nullable(),
  counts: z.object({
    system: z.object({ high: z.number(), medium: z.number(), low: z.number() }),
    application: z.object({ high: z.number(), medium: z.number(), low: z.number() }),
    malicious: z.object({ urgent: z.number(), warning: z.number(), notice: z.number() }),
  }),
  /** What the last scan could not look at (coverage gaps first), at most 200. */
  warnings: z.array(ImageWarningSchema),
  /** The advisory database the last scan matched against; null: not matched yet. */
  advisoryDb: AdvisoryDbUsedSchema.nullable(),
});
export const ImageListSchema = pageOf(ImageRowSchema);
export const ListImagesQuerySchema = ImageScopeQuerySchema.extend({
  name: text.optional(),
  ...page,
}).strict();
export const PageQuerySchema = ImageScopeQuerySchema.extend({ ...page }).strict();

export const ListSamplesQuerySchema = ImageScopeQuerySchema.extend({
  severity: multi(SampleSeveritySchema).optional(),
  introducedBy: IntroducedBySchema.optional(),
  name: text.optional(),
  status: FindingStatusFilterSchema.default('open'),
  sort: z.enum(['severity', 'images', 'lastScanAt', 'name']).default('severity'),
  order: z.enum(['asc', 'desc']).default('desc'),
  ...page,
}).strict();

export const SampleRowSchema = z.object({
  sha256: z.string(),
  name: z.string(),
  category: z.string(),
  severity: SampleSeveritySchema,
  affectedImages: z.number().int(),
  firstScanAt: z.iso.datetime(),
  lastScanAt: z.iso.datetime(),
  processingStatus: FindingStatusFilterSchema,
});
export const SampleListSchema = pageOf(SampleRowSchema);

export const SampleDetailSchema = SampleRowSchema.extend({
  md5: z.string(),
  size: z.number().int(),
  matchedRules: z.array(z.string()),
  reason: z.string(),
  references: z.array(z.string()),
  caution: z.string(),
  history: z.lazy(() => z.array(TriageEventSchema)),
  occurrences: z.array(
    z.object({
      image: z.object({ id: z.uuid(), digest: z.string(), name: z.string() }),
      path: z.string(),
      layerIndex: z.number().int(),
      layerDiffId: z.string(),
      createdBy: z.string().nullable(),
      deletedInLayer: z.number().int().nullable(),
      status: FindingStatusFilterSchema,
    }),
  ),
});

export const ListSensitiveQuerySchema = ImageScopeQuerySchema.extend({
  priority: multi(PrioritySchema).optional(),
  kind: multi(SensitiveKindSchema).optional(),
  introducedBy: IntroducedBySchema.optional(),
  name: text.optional(),
  status: FindingStatusFilterSchema.default('open'),
  sort: z.enum(['priority', 'images', 'lastScanAt', 'title']).default('priority'),
  order: z.enum(['asc', 'desc']).default('desc'),
  ...page,
}).strict();

/** A row of the sensitive-content tab: one secret (by hash), check or ghost package. */
export const SensitiveRowSchema = z.object({
  id: z.string(),
  kind: SensitiveKindSchema,
  ruleId: z.string(),
  title: z.string(),
  category: z.string(),
  priority: PrioritySchema,
  /** A secret's masked preview (never the value). */
  preview: z.string().nullable(),
  affectedImages: z.number().int(),
  firstScanAt: z.iso.datetime(),
  lastScanAt: z.iso.datetime(),
  processingStatus: FindingStatusFilterSchema,
});
export const SensitiveListSchema = pageOf(SensitiveRowSchema);

export const SensitiveDetailSchema = SensitiveRowSchema.extend({
  fix: z.string(),
  references: z.array(z.string()),
  secretSha256: z.string().nullable(),
  packagePurl: z.string().nullable(),
  vulnerabilities: z.array(z.string()),
  source: z.string().nullable(),
  history: z.lazy(() => z.array(TriageEventSchema)),
  occurrences: z.array(
    z.object({
      image: z.object({ id: z.uuid(), digest: z.string(), name: z.string() }),
      location: z.string(),
      line: z.number().int().nullable(),
      layerIndex: z.number().int().nullable(),
      layerDiffId: z.string().nullable(),
      createdBy: z.string().nullable(),
      deletedInLayer: z.number().int().nullable(),
      deletedBy: z.string().nullable(),
      description: z.string(),
      status: FindingStatusFilterSchema,
    }),
  ),
});

const tab = z.object({ high: z.number(), medium: z.number(), low: z.number(), total: z.number() });
export const SummarySchema = z.object({
  system: tab,
  application: tab,
  /** Sensitive content: secrets, risky configuration, ghost content. */
  sensitive: tab,
  malicious: z.object({
    urgent: z.number(),
    warning: z.number(),
    notice: z.number(),
    total: z.number(),
  }),
  images: z.number(),
  lastScanAt: z.iso.datetime().nullable(),
});
export type Summary = z.infer<typeof SummarySchema>;

/**
 * What a triage decision applies to: a vulnerability (by id), a malicious sample (by sha256) or
 * sensitive content (by its row id).
 */
export const TriageKindSchema = z.enum(['vulnerability', 'sample', 'sensitive']);
export type TriageKind = z.infer<typeof TriageKindSchema>;

/**
 * Which images a decision covers: one image, a repository, a namespace, an instance — or `base`:
 * the base (lineage) of the image `id`, i.e. what its base layers brought, in every image built on
 * that base, now and scanned later (within the caller's own scope).
 */
export const TriageScopeSchema = z.object({
  type: z.enum(['image', 'repository', 'namespace', 'instance', 'base']),
  id: z.uuid(),
});
export type TriageScope = z.infer<typeof TriageScopeSchema>;

/**
 * What an ignore means: plainly ignored, *not affected* (with a VEX justification), an
 * *accepted risk* (which must expire) or a *false positive*. All leave the open lists.
 */
export const TriageDecisionSchema = DecisionFilterSchema;
export type TriageDecision = z.infer<typeof TriageDecisionSchema>;
/** The OpenVEX / CISA VEX status justifications (CycloneDX maps them to its own codes). */
export const VexJustificationSchema = z.enum([
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
]);
export type VexJustification = z.infer<typeof VexJustificationSchema>;

export const TriageRequestSchema = z
  .object({
    action: z.enum(['ignore', 'unignore', 'handle', 'reopen']),
    reason: z.string().trim().min(1).max(2000).optional(),
    /** Which images the decision covers; absent: every image. */
    scope: TriageScopeSchema.optional(),
    expiresAt: z.iso.datetime().optional(),
    /** With `ignore`: what the decision is (default `ignored`). */
    decision: TriageDecisionSchema.optional(),
    /** With `not_affected`: why, as a VEX justification. */
    justification: VexJustificationSchema.optional(),
  })
  .strict()
  .refine((t) => t.action !== 'ignore' || t.reason, {
    message: 'a reason is required to ignore',
    path: ['reason'],
  })
  .refine((t) => !t.expiresAt || t.action === 'ignore', {
    message: 'only an ignore can expire',
    path: ['expiresAt'],
  })
  .refine((t) => !t.decision || t.action === 'ignore', {
    message: 'a decision goes with an ignore',
    path: ['decision'],
  })
  .refine((t) => t.decision !== 'accepted_risk' || t.expiresAt, {
    message: 'an accepted risk must expire: give expiresAt',
    path: ['expiresAt'],
  })
  .refine((t) => (t.decision === 'not_affected') === (t.justification !== undefined), {
    message: 'not_affected needs a VEX justification (and only it takes one)',
    path: ['justification'],
  });
export type TriageRequest = z.infer<typeof TriageRequestSchema>;

export const TriageResultSchema = z.object({
  changed: z.number().int(),
  ruleId: z.uuid().optional(),
});

export const BulkTriageRequestSchema = z
  .object({
    kind: TriageKindSchema,
    ids: z.array(z.string().min(1).max(100)).min(1).max(5000).optional(),
    /** "Everything matching this filter": the list endpoint's query (without paging). */
    filter: z.record(z.string(), z.union([z.string(), z.array(z.string())])).optional(),
    triage: TriageRequestSchema,
    /** Only count what the action would change (findings, images, rows): the confirmation. */
    dryRun: z.boolean().optional(),
  })
  .strict()
  .refine((b) => (b.ids ? !b.filter : !!b.filter), {
    message: 'give either ids or filter',
    path: ['ids'],
  });
export type BulkTriageRequest = z.infer<typeof BulkTriageRequestSchema>;

export const BulkTriageResultSchema = z.object({
  /** Recorded on every triage event of this action (null for a dry run or no change). */
  bulkId: z.string().nullable(),
  dryRun: z.boolean(),
  /** Findings changed (or, for a dry run, that would change), the images they are in, rows. */
  findings: z.number().int(),
  images: z.number().int(),
  targets: z.number().int(),
  /** With `ids`: one entry per id, in the order given. */
  results: z
    .array(
      z.object({
        id: z.string(),
        ok: z.boolean(),
        changed: z.number().int(),
        error: z.string().optional(),
      }),
    )
    .optional(),
});
export type BulkTriageResult = z.infer<typeof BulkTriageResultSchema>;

export const TriageEventSchema = z.object({
  at: z.iso.datetime(),
  actor: z.string(),
  action: z.string(),
  oldStatus: z.string().nullable(),
  newStatus: z.string().nullable(),
  reason: z.string().nullable(),
  scope: z.string().nullable(),
  imageId: z.string().nullable(),
  /** With an ignore: not_affected, accepted_risk, false_positive (or plain ignored). */
  decision: z.string().nullable().optional(),
  justification: z.string().nullable().optional(),
});
export type TriageEvent = z.infer<typeof TriageEventSchema>;

/** The findings export's columns, in order (CSV header and JSON keys): one row per finding. */
export const FINDING_EXPORT_COLUMNS = [
  'vulnerability',
  'title',
  'severity',
  'priority',
  'knownExploited',
  'packageType',
  'package',
  'installedVersion',
  'fixedVersion',
  'foundIn',
  'path',
  'image',
  'digest',
  'repository',
  'namespace',
  'layer',
  'layerStep',
  'status',
  'triageReason',
  'firstSeenAt',
  'lastSeenAt',
  'findingId',
] as const;

/** Fix plan: the open findings grouped by the one action that removes them, ranked. */
export const FixPlanQuerySchema = ImageScopeQuerySchema.extend({
  category: CategorySchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
}).strict();
export type FixPlanQuery = z.infer<typeof FixPlanQuerySchema>;

export const FixActionSchema = z.object({
  /** Stable key of the action (`upgrade:npm:lodash`, `rebase:<diffId>`). */
  key: z.string(),
  kind: z.enum(['upgrade', 'rebase', 'step']),
  /** What to do, in the analyst's words ("Upgrade lodash (npm) to 4.17.21"). */
  title: z.string(),
  category: CategorySchema,
  packageType: z.string().nullable(),
  packageName: z.string().nullable(),
  /** The version that fixes every finding of the action (the highest fixed version). */
  targetVersion: z.string().nullable(),
  fixCommand: z.string().nullable(),
  /**
   * Rebuilds: the base (lineage: the layers shared with a base image), by its top layer, the step
   * that made that layer and the base image's name where known.
   */
  baseLayer: z
    .object({ diffId: z.string(), createdBy: z.string().nullable(), name: z.string().nullable() })
    .nullable(),
  /** Dockerfile steps: the step (history `created_by`) of the images' own layers to change. */
  step: z.string().nullable(),
  /** The packages it fixes, each with the version that fixes all its findings here. */
  packages: z.array(z.object({ type: z.string(), name: z.string(), version: z.string() })),
  /** Images in which it removes findings; of them, left with no open finding of the category. */
  images: z.number().int(),
  imagesCleared: z.number().int(),
  findings: z.number().int(),
  highFindings: z.number().int(),
  knownExploited: z.number().int(),
  vulnerabilities: z.array(z.string()),
  /** Up to 20 of the images (name and digest), most findings first. */
  sampleImages: z.array(z.object({ id: z.string(), name: z.string(), digest: z.string() })),
});
export type FixAction = z.infer<typeof FixActionSchema>;
export const FixPlanSchema = z.object({
  /** Open findings in scope with a published fix (what the plan can clear) and without one. */
  fixable: z.number().int(),
  unfixable: z.number().int(),
  actions: z.array(FixActionSchema),
  /**
   * Images whose changes (a large bulk triage, many scans at once) the plan does not count yet:
   * they are being folded in (within about a minute). 0: the plan is up to date.
   */
  pendingImages: z.number().int(),
  /** What scans actually cleared in the last 7 days (resolved findings), by package, most first. */
  cleared: z.array(
    z.object({
      category: z.string().nullable(),
      packageName: z.string().nullable(),
      findings: z.number().int(),
      images: z.number().int(),
      lastAt: z.iso.datetime(),
    }),
  ),
});
export type FixPlan = z.infer<typeof FixPlanSchema>;

/** What changed: findings (vulnerabilities and samples) that are new, resolved or reintroduced. */
export const FindingChangeTypeSchema = z.enum(['new', 'resolved', 'reintroduced']);
export type FindingChangeType = z.infer<typeof FindingChangeTypeSchema>;
/**
 * Why: the image's first scan; new image content (a new digest of the same tag, compared with the
 * previous one); an advisory database or scanner update (same content matched again); an expired
 * triage decision.
 */
export const ChangeCauseSchema = z.enum([
  'first_scan',
  'image_content',
  'advisories',
  'triage_expired',
]);
export type ChangeCause = z.infer<typeof ChangeCauseSchema>;

export const ChangesQuerySchema = ImageScopeQuerySchema.extend({
  /** One scan (every image it covered), one image, or everything since a moment. */
  scanId: z.uuid().optional(),
  imageId: z.uuid().optional(),
  since: z.iso.datetime().optional(),
  change: FindingChangeTypeSchema.optional(),
  cause: ChangeCauseSchema.optional(),
  kind: TriageKindSchema.optional(),
  ...page,
}).strict();
export type ChangesQuery = z.infer<typeof ChangesQuerySchema>;

const ImageRefSchema = z.object({ id: z.string(), name: z.string(), digest: z.string() });
export const FindingChangeRowSchema = z.object({
  at: z.iso.datetime(),
  kind: TriageKindSchema,
  /** The vulnerability id or the sample's SHA-256. */
  targetId: z.string(),
  title: z.string().nullable(),
  change: FindingChangeTypeSchema,
  cause: ChangeCauseSchema,
  category: z.string().nullable(),
  packageName: z.string().nullable(),
  installedVersion: z.string().nullable(),
  path: z.string().nullable(),
  priority: z.string().nullable(),
  image: ImageRefSchema,
  /** For new image content: the previous digest of the same tag it was compared with. */
  previousImage: ImageRefSchema.nullable(),
});
export type FindingChangeRow = z.infer<typeof FindingChangeRowSchema>;
export const ChangeListSchema = pageOf(FindingChangeRowSchema).extend({
  /** Counts of the whole filter by change, cause and kind. */
  summary: z.array(
    z.object({
      change: FindingChangeTypeSchema,
      cause: ChangeCauseSchema,
      kind: TriageKindSchema,
      count: z.number().int(),
    }),
  ),
});
export type ChangeList = z.infer<typeof ChangeListSchema>;

/** VEX out: the triage decisions of one image, or of everything in scope. */
export const VexExportQuerySchema = z
  .object({
    format: z.enum(['openvex', 'cyclonedx']).default('openvex'),
    imageId: z.uuid().optional(),
  })
  .strict();
export type VexExportQuery = z.infer<typeof VexExportQuerySchema>;

/** VEX in: what a document's statements did. */
export const VexImportedSchema = z.object({
  format: z.enum(['openvex', 'cyclonedx', 'csaf']),
  documentId: z.string().nullable(),
  author: z.string().nullable(),
  statements: z.number().int(),
  /** Statements that changed findings (suppressed as not affected, handled as fixed). */
  applied: z.number().int(),
  findingsChanged: z.number().int(),
  /** `affected` (kept open) and `under_investigation` (marked in the history) statements. */
  recorded: z.number().int(),
  /** Statements about no vulnerability or image Drydock holds (in the caller's scope). */
  unmatched: z.array(
    z.object({ where: z.string(), vulnerability: z.string(), reason: z.string() }),
  ),
  /** The same vulnerability and product with different statuses: none of them applied. */
  conflicts: z.array(
    z.object({
      vulnerability: z.string(),
      product: z.string(),
      statuses: z.array(z.string()),
      where: z.array(z.string()),
    }),
  ),
});
export type VexImported = z.infer<typeof VexImportedSchema>;
