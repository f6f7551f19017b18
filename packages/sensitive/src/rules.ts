import { readFileSync } from 'node:fs';
import { type Priority, PrioritySchema } from '@drydock/contract';
import { z } from 'zod';

const RULES_FILE = new URL('../rules/secrets.json', import.meta.url);

const RuleSchema = z.object({
  id: z.string(),
  source: z.string(),
  title: z.string(),
  category: z.string(),
  priority: PrioritySchema,
  regex: z.string(),
  flags: z.string().regex(/^[imsu]*$/),
  secretGroup: z.number().int().min(0),
  keywords: z.array(z.string()),
  entropy: z.number().optional(),
  requires: z.string().optional(),
  validate: z.enum(['pem', 'jwt', 'password']).optional(),
  fix: z.string().optional(),
  references: z.array(z.string()),
});
const RuleFileSchema = z.object({
  version: z.string(),
  fix: z.string(),
  rules: z.array(RuleSchema),
});

export interface SecretRule {
  id: string;
  source: string;
  title: string;
  category: string;
  priority: Priority;
  pattern: RegExp;
  secretGroup: number;
  keywords: string[];
  entropy?: number;
  requires?: RegExp;
  validate?: 'pem' | 'jwt' | 'password';
  fix: string;
  references: string[];
}

export interface SecretRuleSet {
  version: string;
  /** The fix for a leaked credential, unless a rule has its own. */
  fix: string;
  rules: SecretRule[];
  /** Every rule keyword, one pattern: which rules a text needs is one pass over it. */
  keywords: RegExp;
  byKeyword: Map<string, SecretRule[]>;
}

/** Compiles a rule file (our format, see rules/README.md); a rule that does not compile throws. */
export function compileRules(source: unknown): SecretRuleSet {
  const file = RuleFileSchema.parse(source);
  const rules = file.rules.map((r): SecretRule => {
    const compile = (pattern: string, flags: string) => {
      try {
        return new RegExp(pattern, flags);
      } catch (error) {
        throw new Error(`secret rule ${r.id}: ${(error as Error).message}`);
      }
    };
    return {
      id: r.id,
      source: r.source,
      title: r.title,
      category: r.category,
      priority: r.priority,
      pattern: compile(r.regex, `${r.flags}g`),
      secretGroup: r.secretGroup,
      keywords: r.keywords.map((k) => k.toLowerCase()),
      ...(r.entropy !== undefined ? { entropy: r.entropy } : {}),
      ...(r.requires ? { requires: compile(r.requires, r.flags) } : {}),
      ...(r.validate ? { validate: r.validate } : {}),
      fix: r.fix ?? file.fix,
      references: r.references,
    };
  });
  const byKeyword = new Map<string, SecretRule[]>();
  for (const rule of rules) {
    for (const k of rule.keywords) byKeyword.set(k, [...(byKeyword.get(k) ?? []), rule]);
  }
  const escaped = [...byKeyword.keys()]
    .sort((a, b) => b.length - a.length)
    .map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return {
    version: file.version,
    fix: file.fix,
    rules,
    keywords: new RegExp(escaped.join('|'), 'gi'),
    byKeyword,
  };
}

let loaded: SecretRuleSet | undefined;
/** The rules shipped with Drydock (`rules/secrets.json`). */
export function loadSecretRules(): SecretRuleSet {
  loaded ??= compileRules(JSON.parse(readFileSync(RULES_FILE, 'utf8')));
  return loaded;
}
