import { parseArgs } from 'node:util';
import {
  AdvisoryDb,
  defaultCacheDir,
  importAdvisories,
  PUBLIC_CVE_SERVICE,
  PUBLIC_KEV_FEED,
} from '@drydock/advisories';
import { EXIT, type Io } from '../io.ts';

export const DB_USAGE = `Usage: drydock db <update|status> [options]

  update --source <dir|url>   import advisories: a mirror folder laid out as <Ecosystem>/all.zip
                              (optionally with kev/ and nvd/ beside osv/), one zip or JSON file,
                              or an OSV mirror URL (<url>/<Ecosystem>/all.zip)
         --ecosystems <list>  with a URL: which ecosystems to fetch (default: all supported)
         --kev <url|public>   also refresh the CISA KEV catalog from this JSON feed
                              (public: ${PUBLIC_KEV_FEED})
         --cve <url|public>   also fetch CVE records (CVSS, description) for advisories without
                              a CVSS, from a URL with {id} (public: ${PUBLIC_CVE_SERVICE})
  status                      where the database is and when it was updated

Options:
  --cache-dir <dir>   database location (default: $DRYDOCK_CACHE_DIR or ~/.cache/drydock)
  -f, --format <fmt>  table (default) or json
`;

export async function dbCommand(argv: string[], io: Io): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        source: { type: 'string' },
        ecosystems: { type: 'string' },
        kev: { type: 'string' },
        cve: { type: 'string' },
        'cache-dir': { type: 'string' },
        format: { type: 'string', short: 'f', default: 'table' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  }
  try {
    parsed = parse();
  } catch (error) {
    io.stderr(`drydock db: ${(error as Error).message}\n\n${DB_USAGE}`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  const [action] = positionals;
  if (values.help || !action) {
    (values.help ? io.stdout : io.stderr)(DB_USAGE);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  const db = await AdvisoryDb.open(values['cache-dir'] ?? defaultCacheDir());
  if (action === 'status') {
    const status = { location: db.dir, ...(db.meta ?? { updatedAt: null, sources: [] }) };
    io.stdout(
      values.format === 'json'
        ? `${JSON.stringify(status, null, 2)}\n`
        : db.meta
          ? `Advisory database: ${db.dir}\nUpdated:           ${db.meta.updatedAt}\nSources:           ${db.meta.sources.join(', ')}\n`
          : `No advisory database in ${db.dir}: run \`drydock db update --source <dir|url>\`\n`,
    );
    return EXIT.ok;
  }
  if (action !== 'update') {
    io.stderr(`drydock db: unknown action '${action}'\n\n${DB_USAGE}`);
    return EXIT.usage;
  }
  if (!values.source) {
    io.stderr('drydock db update: --source <dir|url> is required\n');
    return EXIT.usage;
  }
  let report: Awaited<ReturnType<typeof importAdvisories>>;
  try {
    report = await importAdvisories(db, values.source, {
      ...(values.ecosystems
        ? { ecosystems: values.ecosystems.split(',').map((e) => e.trim()) }
        : {}),
      ...(values.kev ? { kev: values.kev === 'public' ? PUBLIC_KEV_FEED : values.kev } : {}),
      ...(values.cve ? { cve: values.cve === 'public' ? PUBLIC_CVE_SERVICE : values.cve } : {}),
    });
  } catch (error) {
    io.stderr(`drydock db update: ${(error as Error).message}\n`);
    return EXIT.error;
  }
  for (const warning of report.warnings) io.stderr(`warning: ${warning}\n`);
  if (values.format === 'json') {
    io.stdout(`${JSON.stringify({ location: db.dir, ...report }, null, 2)}\n`);
    return EXIT.ok;
  }
  const rows = Object.entries(report.ecosystems).sort(([a], [b]) => a.localeCompare(b));
  const width = Math.max(9, ...rows.map(([name]) => name.length));
  const lines = [
    `${'ECOSYSTEM'.padEnd(width)}  ADDED  UPDATED  UNCHANGED  SKIPPED`,
    ...rows.map(
      ([name, c]) =>
        `${name.padEnd(width)}  ${String(c.added).padStart(5)}  ${String(c.updated).padStart(7)}  ${String(c.unchanged).padStart(9)}  ${String(c.skipped).padStart(7)}`,
    ),
  ];
  if (report.knownExploited !== undefined)
    lines.push(`known exploited (CISA KEV): ${report.knownExploited} CVEs`);
  if (report.cveRecords !== undefined) lines.push(`CVE records: ${report.cveRecords}`);
  lines.push(`database: ${db.dir}`);
  io.stdout(`${lines.join('\n')}\n`);
  return EXIT.ok;
}
