/** What the CLI's commands share with its entry point: I/O, exit codes, version. */
export { VERSION } from '@drydock/contract';

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** stderr is a terminal: progress may be drawn there. */
  isTTY?: boolean;
  writeFile?(path: string, data: string): Promise<void>;
  /** Environment variables the CLI reads (DRYDOCK_SERVER, DRYDOCK_TOKEN, DRYDOCK_CACHE_DIR). */
  env?: Record<string, string | undefined>;
}

/** Exit codes are part of the CLI contract (docs/cli.md). */
export const EXIT = { ok: 0, findings: 1, usage: 2, error: 3 } as const;
