import { createHash } from 'node:crypto';

/** Shannon entropy in bits per character. */
export function entropy(value: string): number {
  if (!value) return 0;
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * A secret masked for display: enough of its ends to tell keys apart, never enough to use it
 * (`AKIA************MPLE`). Short secrets show one character; the middle is at most 16 stars.
 */
export function mask(secret: string): string {
  const value = secret.replace(/\s+/g, ' ');
  const n = value.length;
  const keep = n >= 16 ? 4 : n >= 9 ? 2 : 1;
  const stars = '*'.repeat(Math.min(16, Math.max(1, n - keep * (n >= 9 ? 2 : 1))));
  return n >= 9
    ? `${value.slice(0, keep)}${stars}${value.slice(-keep)}`
    : `${value.slice(0, 1)}${stars}`;
}

export const sha256Hex = (value: string | Buffer) =>
  createHash('sha256').update(value).digest('hex');

/** The row a finding belongs to: its rule and what it is about, hashed. */
export const findingId = (ruleId: string, subject: string) => sha256Hex(`${ruleId}\n${subject}`);

/** 1-based line of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * Values that stand for a secret rather than being one: templates and variables (`${TOKEN}`,
 * `{{ .token }}`, `%PASSWORD%`, `<password>`), stars, words like `changeme`, one repeated
 * character.
 */
export function isPlaceholder(value: string): boolean {
  const v = value.trim();
  if (v.length < 3) return true;
  if (/^[$%@]|\$\{|\{\{|<[^>]*>|^%.*%$|^\*+$|^x+$|^\.+$/i.test(v)) return true;
  if (/^(.)\1+$/.test(v)) return true;
  const lower = v.toLowerCase().replace(/[^a-z0-9]/g, '');
  return (
    PLACEHOLDERS.has(lower) ||
    /^(?:your|my|some|the|enter|insert|replace|example|dummy|fake|test|sample)/.test(lower) ||
    /(?:here|placeholder|redacted|changeme|example)$/.test(lower)
  );
}

const PLACEHOLDERS = new Set([
  'password',
  'passwd',
  'secret',
  'token',
  'changeme',
  'changeit',
  'none',
  'null',
  'undefined',
  'true',
  'false',
  'admin',
  'root',
  'pass',
  'user',
  'username',
  'default',
  'example',
  'xxxxxxxx',
  'notasecret',
]);
