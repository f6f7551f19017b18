export type RegistryErrorCode =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'unreachable'
  | 'timeout'
  | 'protocol'
  | 'unsupported';

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

/** Reads the Registry v2 error body (`{"errors":[{"code","message"}]}`) into one line. */
export async function describeErrorBody(res: Response): Promise<string> {
  try {
    const text = (await res.text()).slice(0, 4096);
    try {
      const body = JSON.parse(text) as { errors?: { code?: string; message?: string }[] };
      const first = body.errors?.[0];
      if (first) return [first.code, first.message].filter(Boolean).join(': ');
    } catch {
      // not JSON
    }
    return text.trim().split('\n')[0]?.slice(0, 200) ?? '';
  } catch {
    return '';
  }
}
