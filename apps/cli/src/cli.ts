import { EXIT, type Io, VERSION } from './io.ts';

export { EXIT, type Io };

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
