import type { Priority } from '@drydock/contract';
import { readCredentialFile } from './credential-files.ts';
import type { SecretRule, SecretRuleSet } from './rules.ts';
import { entropy, isPlaceholder, lineAt } from './text.ts';

/** A secret found in one text (file or config value), before image context is added. */
export interface SecretHit {
  ruleId: string;
  source: string;
  title: string;
  category: string;
  priority: Priority;
  secret: string;
  /** 1-based line in the text. */
  line?: number;
  /** What the preview shows instead of the secret's ends (a key's armour line). */
  label?: string;
  /** The secret's SHA-256 when it is a file's bytes rather than text. */
  sha256?: string;
  fix: string;
  references: string[];
}

const MAX_HITS_PER_TEXT = 50;

function valid(rule: SecretRule, secret: string): boolean {
  if (rule.entropy !== undefined && entropy(secret) < rule.entropy) return false;
  switch (rule.validate) {
    case 'password':
      return !isPlaceholder(secret);
    case 'jwt': {
      const [header] = secret.split('.');
      try {
        const parsed = JSON.parse(Buffer.from(header ?? '', 'base64url').toString('utf8'));
        return typeof parsed === 'object' && parsed !== null && 'alg' in parsed;
      } catch {
        return false;
      }
    }
    case 'pem': {
      // A key block is base64 between the armour lines (headers like Proc-Type aside).
      const body = secret
        .split('\n')
        .slice(1, -1)
        .filter((l) => !l.includes(':'))
        .join('')
        .replace(/\s/g, '');
      return body.length >= 64 && /^[A-Za-z0-9+/=]+$/.test(body) && !/^(?:A{20,}|x+)$/i.test(body);
    }
    default:
      return true;
  }
}

export const hitOf = (rule: SecretRule, secret: string, line?: number): SecretHit => ({
  ruleId: rule.id,
  source: rule.source,
  title: rule.title,
  category: rule.category,
  priority: rule.priority,
  secret,
  ...(line !== undefined ? { line } : {}),
  ...(rule.validate === 'pem' ? { label: secret.split('\n')[0]?.trim() } : {}),
  fix: rule.fix,
  references: rule.references,
});

/**
 * The secrets in a text: only the rules whose keywords occur run, each match must pass its
 * rule's entropy floor and validator. Text is latin1 (one character per byte), so binary noise
 * cannot break it.
 */
export function findSecrets(text: string, rules: SecretRuleSet): SecretHit[] {
  const wanted = new Set<SecretRule>();
  rules.keywords.lastIndex = 0;
  for (let m = rules.keywords.exec(text); m; m = rules.keywords.exec(text)) {
    for (const rule of rules.byKeyword.get(m[0].toLowerCase()) ?? []) wanted.add(rule);
    if (wanted.size === rules.rules.length) break;
  }
  const hits: SecretHit[] = [];
  for (const rule of wanted) {
    if (rule.requires && !rule.requires.test(text)) continue;
    rule.pattern.lastIndex = 0;
    for (let m = rule.pattern.exec(text); m; m = rule.pattern.exec(text)) {
      if (m[0].length === 0) rule.pattern.lastIndex++;
      const secret = m[rule.secretGroup] ?? m[0];
      if (!secret || !valid(rule, secret)) continue;
      const at = m.index + Math.max(0, m[0].indexOf(secret));
      hits.push(hitOf(rule, secret, lineAt(text, at)));
      if (hits.length >= MAX_HITS_PER_TEXT) return hits;
    }
  }
  return hits;
}

/** Secrets in a file: credential files by their format, then the rules over its text. */
export function findSecretsInFile(path: string, data: Buffer, rules: SecretRuleSet): SecretHit[] {
  const fromFormat = readCredentialFile(path, data);
  if (fromFormat === 'binary') return [];
  const text = data.toString('latin1');
  const found = [...fromFormat, ...findSecrets(text, rules)];
  // The same secret found by a format reader and a pattern: keep the first.
  const seen = new Set<string>();
  return found.filter((h) => {
    const key = `${h.secret}|${h.line ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
