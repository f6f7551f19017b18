export type RegistryErrorCode =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'unreachable'
  | 'timeout'
  | 'protocol'
  | 'unsupported'
  /** An address, redirect, realm or link the egress rules do not allow. */
  | 'egress_refused';

/** A registry request that failed, with a message an analyst can act on. */
export class RegistryError extends Error {
  constructor(
    public readonly code: RegistryErrorCode,
    message: string,
    public readonly status?: number,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

/** Printable text only, one line, bounded: what a registry says is shown, never trusted. */
const clean = (value: unknown, max: number) =>
  typeof value === 'string'
    ? value
        .replace(/[^\x20-\x7e]+/g, ' ')
        .replace(/ {2,}/g, ' ')
        .trim()
        .slice(0, max)
    : '';

/**
 * The Registry v2 error of a response (`{"errors":[{"code","message"}]}`) as one short line, or
 * '' when the body is anything else: the text of an arbitrary body (a proxy's or an internal
 * service's page) is never copied into an error an analyst sees.
 */
export async function describeErrorBody(res: { text(): Promise<string> }): Promise<string> {
  try {
    const text = (await res.text()).slice(0, 16_384);
    const body = JSON.parse(text) as { errors?: { code?: unknown; message?: unknown }[] };
    const first = Array.isArray(body.errors) ? body.errors[0] : undefined;
    if (!first) return '';
    const code = /^[A-Z_]{2,40}$/.test(String(first.code)) ? String(first.code) : '';
    return [code, clean(first.message, 160)].filter(Boolean).join(': ');
  } catch {
    return '';
  }
}
