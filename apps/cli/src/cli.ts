import { readFileSync } from 'node:fs';

export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

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

const USAGE = `Usage: drydock <command> [options]

Commands:
  scan <image>   inventory and vulnerabilities of an image tarball or OCI layout
  db update      import advisories (OSV, CISA KEV, CVE records) for offline matching
  version        print the Drydock version
  help           show this help

Run \`drydock <command> --help\` for a command's options.
`;

export async function runCli(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'db': {
      const { dbCommand } = await import('./commands/db.ts');
      return dbCommand(rest, io);
    }
    case 'scan': {
      const { scanCommand } = await import('./commands/scan.ts');
      return scanCommand(rest, io);
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.stdout(USAGE);
      return EXIT.ok;
    case 'version':
    case '--version':
      io.stdout(`${VERSION}\n`);
      return EXIT.ok;
    default:
      io.stderr(`drydock: unknown command '${command}'\n\n${USAGE}`);
      return EXIT.usage;
  }
}
