import { open, readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { AdvisoryDb, defaultCacheDir } from '@drydock/advisories';
import {
  ALL_SCANNERS,
  isCoverageWarning,
  PRIORITY_RANK,
  type Priority,
  PrioritySchema,
  ReportPushedSchema,
  type ScannerName,
  ScannerNameSchema,
  type ScanReport,
  ScanReportSchema,
  type Severity,
  SeveritySchema,
  type VulnerabilityFinding,
} from '@drydock/contract';
import { createYaraEngine, loadRuleSet } from '@drydock/malware';
import { analyzeFile, matchReport } from '@drydock/pipeline';
import {
  conflicts,
  covers,
  MAX_SBOM_BYTES,
  type ReadVex,
  readSbom,
  readVex,
  SbomError,
  toCycloneDx,
  toSpdx,
} from '@drydock/sbom';
import { ScanError, type ScanProgress } from '@drydock/scanner';
import { z } from 'zod';
import { EXIT, type Io, VERSION } from '../io.ts';
import { renderSarif } from '../render/sarif.ts';
import { renderTable } from '../render/table.ts';

export const SCAN_USAGE = `Usage: drydock scan <image> [options]

Scans a docker-archive tarball (docker save, optionally gzip/zstd-compressed), an OCI archive or an
OCI image layout directory — or reads a CycloneDX / SPDX JSON SBOM made by any tool: its inventory
and, when \`drydock db update\` has stored advisories, its vulnerabilities.

Options:
  -f, --format <fmt>          table (default), json, sarif, cyclonedx (CycloneDX 1.6 with the
                              vulnerabilities) or spdx-json (SPDX 2.3)
      --platform <os/arch>    platform of a multi-platform image (default: linux/amd64)
  -o, --output <file>         write the report to a file instead of stdout
      --priority <list>       only findings of these priorities (high,medium,low)
      --severity <list>       only findings of these severities (critical,high,medium,low,unknown)
      --ignore-unfixed        leave out findings without a fixed version
      --ignore-file <file>    JSON list of {id, path?, purl?, expires?, reason} to leave out
      --vex <file>            OpenVEX, CycloneDX VEX or CSAF VEX: not_affected / fixed statements
                              about this image or its packages leave those findings out
      --fail-on <priority>    exit with --exit-code when findings at or above it remain
      --exit-code <n>         exit code for --fail-on (default 1)
      --cache-dir <dir>       advisory database and malware cache (default: $DRYDOCK_CACHE_DIR or ~/.cache/drydock)
      --scanners <list>       what to look for (default all): vuln (vulnerabilities), malware,
                              secret (secrets in files and the image config), config (image
                              configuration checks; with vuln also ghost content: vulnerable
                              packages deleted by a later layer but still shipped)
      --skip-malware          do not look for malicious files (same as leaving malware out)
      --malware-max-size <n>  largest file scanned for malware, in MiB (default 64)
      --server <url>          also push the report to a Drydock server ($DRYDOCK_SERVER)
      --token <token>         API token for --server (scan permission; $DRYDOCK_TOKEN)
      --name <name>           image name on the server (default: the first tag, else the file)
  -h, --help                  show this help
`;

const IgnoreRuleSchema = z.object({
  id: z.string(),
  path: z.string().optional(),
  purl: z.string().optional(),
  expires: z.string().optional(),
  reason: z.string(),
});
const IgnoreFileSchema = z.union([
  z.array(IgnoreRuleSchema),
  z.object({ ignore: z.array(IgnoreRuleSchema) }),
]);
type IgnoreRule = z.infer<typeof IgnoreRuleSchema>;

/** Sends the report to the server's `/api/v1/reports`; the answer says where it landed. */
async function pushReport(server: string, token: string, report: ScanReport, name?: string) {
  const base = server.replace(/\/+$/, '');
  const url = `${base}/api/v1/reports${name ? `?name=${encodeURIComponent(name)}` : ''}`;
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(report),
    signal: AbortSignal.timeout(120_000),
  });
  const body = (await res.json().catch(() => undefined)) as { detail?: string } | undefined;
  if (!res.ok) throw new Error(`HTTP ${res.status}${body?.detail ? `: ${body.detail}` : ''}`);
  const pushed = ReportPushedSchema.parse(body);
  return { ...pushed, url: `${base}${pushed.url}` };
}

function progressPrinter(io: Io): ((event: ScanProgress) => void) | undefined {
  if (!io.isTTY) return undefined;
  return (event) => {
    if (event.phase === 'layer')
      io.stderr(`\r\x1b[Kreading layer ${event.index + 1}/${event.total}`);
    else if (event.phase === 'analyze') io.stderr('\r\x1b[Kanalyzing…');
  };
}

class UsageError extends Error {}

function list<T extends string>(
  value: string | undefined,
  schema: z.ZodType<T>,
  option: string,
): Set<T> | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((v) => v.trim().toLowerCase());
  const parsed = items.map((v) => schema.safeParse(v));
  const bad = items.filter((_, i) => !parsed[i]?.success);
  if (bad.length) throw new UsageError(`${option}: unknown value '${bad.join(',')}'`);
  return new Set(parsed.map((p) => p.data as T));
}

function ignored(f: VulnerabilityFinding, rules: IgnoreRule[], now: Date): boolean {
  return rules.some(
    (r) =>
      (r.id === f.id || f.aliases.includes(r.id)) &&
      (!r.path || r.path === f.path) &&
      (!r.purl || r.purl === f.purl) &&
      (!r.expires || new Date(r.expires) > now),
  );
}

/**
 * Whether a VEX document says this finding does not apply: a `not_affected` or `fixed` statement
 * (not in conflict) about its vulnerability (or an alias) that covers this image (its digests or
 * tags, optionally its named components) or the finding's own package.
 */
function vexSuppresses(vex: ReadVex, report: ScanReport, f: VulnerabilityFinding): boolean {
  const clashing = new Set(conflicts(vex.statements).flat());
  const ids = new Set([f.id, ...f.aliases]);
  const image = {
    digests: [report.target.manifestDigest, report.target.configDigest].filter(
      (d): d is string => d !== undefined,
    ),
    names: report.target.repoTags,
  };
  return vex.statements.some(
    (s) =>
      !clashing.has(s) &&
      (s.status === 'not_affected' || s.status === 'fixed') &&
      (ids.has(s.vulnerability) || s.aliases.some((a) => ids.has(a))) &&
      covers(s, image, f.purl),
  );
}

/**
 * The file's inventory when it is a CycloneDX or SPDX JSON SBOM (a regular file whose text starts
 * with `{`); undefined for images. A broken SBOM is an error with its field and line.
 */
async function readSbomFile(input: string): Promise<ScanReport | undefined> {
  const info = await stat(input).catch(() => undefined);
  if (!info?.isFile() || info.size > MAX_SBOM_BYTES) return undefined;
  const handle = await open(input, 'r');
  try {
    const head = Buffer.alloc(64);
    const { bytesRead } = await handle.read(head, 0, 64, 0);
    if (!head.subarray(0, bytesRead).toString('utf8').trimStart().startsWith('{')) return undefined;
  } finally {
    await handle.close();
  }
  try {
    return readSbom(await readFile(input, 'utf8')).report;
  } catch (error) {
    if (error instanceof SbomError)
      throw new ScanError('unrecognized_input', `${input}: ${error.message}`);
    throw error;
  }
}

export async function scanCommand(argv: string[], io: Io, now = new Date()): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        format: { type: 'string', short: 'f', default: 'table' },
        platform: { type: 'string' },
        output: { type: 'string', short: 'o' },
        priority: { type: 'string' },
        severity: { type: 'string' },
        'ignore-unfixed': { type: 'boolean' },
        'ignore-file': { type: 'string' },
        vex: { type: 'string' },
        'fail-on': { type: 'string' },
        'exit-code': { type: 'string' },
        'cache-dir': { type: 'string' },
        'skip-malware': { type: 'boolean' },
        scanners: { type: 'string' },
        'malware-max-size': { type: 'string' },
        server: { type: 'string' },
        token: { type: 'string' },
        name: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    io.stderr(`drydock scan: ${(error as Error).message}\n\n${SCAN_USAGE}`);
    return EXIT.usage;
  }
  if (values.help) {
    io.stdout(SCAN_USAGE);
    return EXIT.ok;
  }
  if (positionals.length !== 1) {
    io.stderr(`drydock scan: expected exactly one image path\n\n${SCAN_USAGE}`);
    return EXIT.usage;
  }
  const format = values.format as string;
  if (!['json', 'table', 'sarif', 'cyclonedx', 'spdx-json'].includes(format)) {
    io.stderr(
      `drydock scan: unknown format '${format}' (table, json, sarif, cyclonedx or spdx-json)\n`,
    );
    return EXIT.usage;
  }
  const platform = values.platform as string | undefined;
  if (platform !== undefined && !/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(platform)) {
    io.stderr('drydock scan: --platform must look like os/arch or os/arch/variant\n');
    return EXIT.usage;
  }
  const server = (values.server as string | undefined) ?? io.env?.DRYDOCK_SERVER;
  const token = (values.token as string | undefined) ?? io.env?.DRYDOCK_TOKEN;
  if (server && !token) {
    io.stderr('drydock scan: --server needs --token (or $DRYDOCK_TOKEN)\n');
    return EXIT.usage;
  }
  if (server && !/^https?:\/\/[^/]+/.test(server)) {
    io.stderr('drydock scan: --server must be an http(s) URL\n');
    return EXIT.usage;
  }
  let priorities: Set<Priority> | undefined;
  let severities: Set<Severity> | undefined;
  let failOn: Priority | undefined;
  let exitCode = 1;
  let scanners = new Set<ScannerName>(ALL_SCANNERS);
  try {
    scanners =
      list(values.scanners as string | undefined, ScannerNameSchema, '--scanners') ?? scanners;
    if (values['skip-malware']) scanners.delete('malware');
    priorities = list(values.priority as string | undefined, PrioritySchema, '--priority');
    severities = list(values.severity as string | undefined, SeveritySchema, '--severity');
    if (values['fail-on'] !== undefined) {
      const parsed = PrioritySchema.safeParse(String(values['fail-on']).toLowerCase());
      if (!parsed.success)
        throw new UsageError(`--fail-on: unknown priority '${values['fail-on']}'`);
      failOn = parsed.data;
    }
    if (values['exit-code'] !== undefined) {
      exitCode = Number(values['exit-code']);
      if (!Number.isInteger(exitCode) || exitCode < 0 || exitCode > 255)
        throw new UsageError('--exit-code must be 0-255');
      failOn ??= 'low';
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`drydock scan: ${error.message}\n`);
    return EXIT.usage;
  }
  let rules: IgnoreRule[] = [];
  if (values['ignore-file']) {
    try {
      const parsed = IgnoreFileSchema.parse(
        JSON.parse(await readFile(String(values['ignore-file']), 'utf8')),
      );
      rules = Array.isArray(parsed) ? parsed : parsed.ignore;
    } catch (error) {
      io.stderr(
        `drydock scan: ignore file ${values['ignore-file']}: ${(error as Error).message.split('\n')[0]}\n`,
      );
      return EXIT.usage;
    }
  }

  let vex: ReadVex | undefined;
  if (values.vex) {
    try {
      vex = readVex(await readFile(String(values.vex), 'utf8'));
    } catch (error) {
      io.stderr(`drydock scan: VEX file ${values.vex}: ${(error as Error).message}\n`);
      return EXIT.usage;
    }
    for (const group of conflicts(vex.statements)) {
      io.stderr(
        `drydock scan: VEX: conflicting statements about ${group[0]?.vulnerability} (${group.map((s) => `${s.where} ${s.status}`).join(', ')}): none applied\n`,
      );
    }
  }

  const input = positionals[0] as string;
  const onProgress = progressPrinter(io);
  const cacheDir = (values['cache-dir'] as string | undefined) ?? defaultCacheDir();
  const maxMiB = values['malware-max-size'] !== undefined ? Number(values['malware-max-size']) : 64;
  if (!Number.isFinite(maxMiB) || maxMiB <= 0) {
    io.stderr('drydock scan: --malware-max-size must be a positive number of MiB\n');
    return EXIT.usage;
  }
  let report: ScanReport;
  let engine: Awaited<ReturnType<typeof createYaraEngine>> | undefined;
  try {
    const sbom = await readSbomFile(input);
    // An SBOM has no files to look into: its inventory is matched, nothing is scanned.
    const ruleSet = !scanners.has('malware') || sbom ? undefined : loadRuleSet();
    engine = ruleSet ? await createYaraEngine(ruleSet.source) : undefined;
    const analysis = sbom
      ? { report: sbom }
      : await analyzeFile(input, {
          ...(platform ? { platform } : {}),
          scannerVersion: VERSION,
          ...(onProgress ? { onProgress } : {}),
          ...(scanners.has('secret') || scanners.has('config')
            ? { sensitive: { secrets: scanners.has('secret'), config: scanners.has('config') } }
            : {}),
          ...(ruleSet && engine
            ? {
                malware: {
                  engine,
                  rules: ruleSet,
                  cacheDir,
                  maxFileSize: maxMiB * 1024 * 1024,
                },
              }
            : {}),
        });
    report = analysis.report;
    if (!sbom) report.scanners = ALL_SCANNERS.filter((s) => scanners.has(s));
    const db = await AdvisoryDb.open(cacheDir);
    const described = scanners.has('vuln') ? db.describe() : undefined;
    if (described) {
      report = await matchReport(report, db, described);
      const all = report.vulnerabilities ?? [];
      // Never silent: what the database could not check is said on stderr too.
      for (const w of report.warnings) {
        if (isCoverageWarning(w)) io.stderr(`drydock scan: warning: ${w.message}\n`);
      }
      report.vulnerabilities = all.filter(
        (f) =>
          (!priorities || priorities.has(f.priority)) &&
          (!severities || severities.has(f.severity)) &&
          (!values['ignore-unfixed'] || f.fixedVersion !== undefined) &&
          !ignored(f, rules, now),
      );
      if (vex) {
        const before = report.vulnerabilities.length;
        report.vulnerabilities = report.vulnerabilities.filter(
          (f) => !vexSuppresses(vex, report, f),
        );
        const left = before - report.vulnerabilities.length;
        if (left) {
          io.stderr(
            `drydock scan: VEX${vex.id ? ` ${vex.id}` : ''}: ${left} finding${left === 1 ? '' : 's'} not affected or fixed, left out\n`,
          );
        }
      }
    } else if (scanners.has('vuln')) {
      io.stderr(
        `drydock scan: no advisory database in ${db.dir}; run \`drydock db update --source <dir|url>\` to match vulnerabilities (inventory only)\n`,
      );
    }
    if (report.sensitive && priorities)
      report.sensitive = report.sensitive.filter((f) => priorities.has(f.priority));
    report = ScanReportSchema.parse(report);
  } catch (error) {
    await engine?.close();
    if (onProgress) io.stderr('\r\x1b[K');
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(
      `drydock scan: ${error instanceof ScanError ? message : `internal error: ${message}`}\n`,
    );
    return EXIT.error;
  }
  await engine?.close();
  if (onProgress) io.stderr('\r\x1b[K');
  const findings = report.vulnerabilities;
  const text =
    format === 'json'
      ? `${JSON.stringify(report, null, 2)}\n`
      : format === 'sarif'
        ? renderSarif(report, findings ?? [])
        : format === 'cyclonedx'
          ? toCycloneDx(report, { now, ...(findings ? { findings } : {}) })
          : format === 'spdx-json'
            ? `${JSON.stringify(toSpdx(report, { now }), null, 2)}\n`
            : renderTable(report);
  if (values.output) await io.writeFile?.(String(values.output), text);
  else io.stdout(text);
  if (server && token) {
    try {
      const pushed = await pushReport(server, token, report, values.name as string | undefined);
      io.stderr(
        `drydock scan: pushed to ${pushed.url} (${pushed.findings.opened} new, ${pushed.findings.stillOpen} still open)\n`,
      );
    } catch (error) {
      io.stderr(`drydock scan: push to ${server} failed: ${(error as Error).message}\n`);
      return EXIT.error;
    }
  }
  // Urgent malicious samples count as high priority, warnings as medium, notices as low.
  const samplePriority = { urgent: 'high', warning: 'medium', notice: 'low' } as const;
  const atLeast = (p: Priority) =>
    failOn !== undefined && PRIORITY_RANK[p] >= PRIORITY_RANK[failOn];
  if (
    (findings ?? []).some((f) => atLeast(f.priority)) ||
    (report.maliciousSamples ?? []).some((s) => atLeast(samplePriority[s.severity])) ||
    (report.sensitive ?? []).some((f) => atLeast(f.priority))
  ) {
    return exitCode;
  }
  return EXIT.ok;
}
