/** Why a scan failed. `code` is stable; the message says what and where, in one line. */
export type ScanErrorCode =
  | 'input_not_found'
  | 'unrecognized_input'
  | 'invalid_manifest'
  | 'platform_not_found'
  | 'missing_blob'
  | 'digest_mismatch'
  | 'corrupt_layer'
  | 'unsafe_path'
  | 'limit_exceeded'
  /** The worker ran short of memory while scanning this image (its memory guard stopped it). */
  | 'memory_limit';

export class ScanError extends Error {
  constructor(
    public readonly code: ScanErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ScanError';
  }
}
