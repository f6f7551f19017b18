import { parseArgs } from 'node:util';
import { type ScanReport, ScanReportSchema } from '@drydock/contract';
import { ScanError, type ScanProgress, scanImage } from '@drydock/scanner';
import { EXIT, type Io, VERSION } from '../cli.ts';
import { renderTable } from '../render/table.ts';

export const SCAN_USAGE = `Usage: drydock scan <image> [options]

Scans a docker-archive tarball (docker save, optionally gzip/zstd-compressed), an OCI archive or an
OCI image layout directory, and prints its inventory.

Options:
  -f, --format <json|table>   output format (default: table)
      --platform <os/arch>    platform of a multi-platform image (default: linux/amd64)
  -o, --output <file>         write the report to a file instead of stdout
  -h, --help                  show this help
`;

function progressPrinter(io: Io): ((event: ScanProgress) => void) | undefined {
  if (!io.isTTY) return undefined;
  return (event) => {
    if (event.phase === 'layer') {
      io.stderr(`\r\x1b[Kreading layer ${event.index + 1}/${event.total}`);
    } else if (event.phase === 'analyze') {
      io.stderr('\r\x1b[Kanalyzing…');
    }
  };
}

export async function scanCommand(argv: string[], io: Io): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string', short: 'f', default: 'table' },
        platform: { type: 'string' },
        output: { type: 'string', short: 'o' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  }
  try {
    parsed = parse();
  } catch (error) {
    io.stderr(`drydock scan: ${(error as Error).message}\n\n${SCAN_USAGE}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stdout(SCAN_USAGE);
    return EXIT.ok;
  }
  if (positionals.length !== 1) {
    io.stderr(`drydock scan: expected exactly one image path\n\n${SCAN_USAGE}`);
    return EXIT.usage;
  }
  const format = values.format;
  if (format !== 'json' && format !== 'table') {
    io.stderr(`drydock scan: unknown format '${format}' (json or table)\n`);
    return EXIT.usage;
  }
  if (
    values.platform !== undefined &&
    !/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(values.platform)
  ) {
    io.stderr(`drydock scan: --platform must look like os/arch or os/arch/variant\n`);
    return EXIT.usage;
  }
  const input = positionals[0] as string;
  const onProgress = progressPrinter(io);
  let report: ScanReport;
  try {
    const result = await scanImage(input, {
      ...(values.platform ? { platform: values.platform } : {}),
      scannerVersion: VERSION,
      ...(onProgress ? { onProgress } : {}),
    });
    report = ScanReportSchema.parse(result.report);
  } catch (error) {
    if (onProgress) io.stderr('\r\x1b[K');
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(
      `drydock scan: ${error instanceof ScanError ? message : `internal error: ${message}`}\n`,
    );
    return EXIT.error;
  }
  if (onProgress) io.stderr('\r\x1b[K');
  const text = format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : renderTable(report);
  if (values.output) {
    await io.writeFile?.(values.output, text);
  } else {
    io.stdout(text);
  }
  return EXIT.ok;
}
