import type { z } from 'zod';
import { lineOf } from './json-lines.ts';

/** A document that cannot be read: what is wrong, at which field and line when known. */
export class SbomError extends Error {
  constructor(
    message: string,
    readonly at?: { path?: string; line?: number; column?: number },
  ) {
    super(
      `${message}${at?.path ? ` (at ${at.path}${at.line ? `, line ${at.line}` : ''})` : at?.line ? ` (line ${at.line}, column ${at.column})` : ''}`,
    );
    this.name = 'SbomError';
  }
}

/** Parses a JSON document; a syntax error says the line and column. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const m = /position (\d+)/.exec(message);
    let at: { line: number; column: number } | undefined;
    if (m) {
      const before = text.slice(0, Number(m[1]));
      at = { line: before.split('\n').length, column: before.length - before.lastIndexOf('\n') };
    }
    throw new SbomError(`not JSON: ${message.replace(/ in JSON at position \d+.*$/, '')}`, at);
  }
}

/** The document's part a schema describes, or an error naming the first wrong field and its line. */
export function checked<T>(schema: z.ZodType<T>, data: unknown, text: string): T {
  const parsed = schema.safeParse(data);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0] as z.core.$ZodIssue;
  const path = issue.path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
  throw new SbomError(issue.message, { path: path || '(document)', ...lineOf(text, issue.path) });
}

/** Runs a reader; hostile nesting that exhausts the stack is an error of the document. */
export function guardNesting<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof RangeError) throw new SbomError('the document is nested too deeply');
    throw error;
  }
}
