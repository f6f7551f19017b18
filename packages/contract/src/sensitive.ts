import { z } from 'zod';
import { PrioritySchema } from './vulnerability.ts';

/**
 * The scanners `drydock scan --scanners` and the worker run: vulnerabilities (inventory matched
 * against advisories), malicious files, secrets (in files and in the image config), image
 * configuration checks. Ghost content (vulnerable packages a later layer deleted) comes with
 * `vuln` and `config` together.
 */
export const ScannerNameSchema = z.enum(['vuln', 'malware', 'secret', 'config']);
export type ScannerName = z.infer<typeof ScannerNameSchema>;
export const ALL_SCANNERS: readonly ScannerName[] = ScannerNameSchema.options;

/**
 * Sensitive content, the fourth finding class: a secret (in a file or in the image config), a
 * risky image configuration, or ghost content (a vulnerable package deleted by a later layer but
 * still shipped in a lower one).
 */
export const SensitiveKindSchema = z.enum(['secret', 'config', 'ghost']);
export type SensitiveKind = z.infer<typeof SensitiveKindSchema>;

export const SensitiveFindingSchema = z.object({
  /**
   * What the finding is about, the same in every image (the tab's row): for a secret its rule and
   * the secret's hash (one key in many images is one row to rotate), for a check its rule, for
   * ghost content the package. 64 lowercase hex digits.
   */
  id: z.string().regex(/^[0-9a-f]{64}$/),
  kind: SensitiveKindSchema,
  /** Rule id (`aws-access-token`, `config-root-user`, `ghost-package`…). */
  ruleId: z.string(),
  title: z.string(),
  /** Group shown in the console (`AWS`, `Private key`, `Image config`, `Ghost content`…). */
  category: z.string(),
  priority: PrioritySchema,
  /**
   * Where: a file path relative to the image root, or a place in the image config
   * (`config:Env/API_TOKEN`, `config:Labels/…`, `config:User`, `history[3]`).
   */
  location: z.string(),
  /** 1-based line of a secret in a text file. */
  line: z.number().int().min(1).optional(),
  /** The layer that holds it (absent for image-wide config checks). */
  layerIndex: z.number().int().min(0).optional(),
  layerDiffId: z.string().optional(),
  /** That layer's Dockerfile step. */
  createdBy: z.string().optional(),
  /** A later layer deleted (or replaced) it: it is hidden, but its bytes still ship. */
  deletedInLayer: z.number().int().min(0).optional(),
  deletedBy: z.string().optional(),
  /** The secret masked (`AKIA************MPLE`): never the secret itself. */
  preview: z.string().optional(),
  /** SHA-256 of the secret (hex): compare with a key's own hash to know which one to rotate. */
  secretSha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  /** What was found and why it matters. */
  description: z.string(),
  /** What to do about it. */
  fix: z.string(),
  references: z.array(z.string()),
  /** Ghost content: the package still shipped, and the vulnerabilities it has. */
  package: z
    .object({ name: z.string(), version: z.string(), type: z.string(), purl: z.string() })
    .optional(),
  vulnerabilities: z.array(z.string()).optional(),
  /** Where the rule comes from (`gitleaks` rules keep their id; ours are `drydock`). */
  source: z.string().optional(),
});
export type SensitiveFinding = z.infer<typeof SensitiveFindingSchema>;
