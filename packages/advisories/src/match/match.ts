import {
  type CoverageWarningCode,
  isOsPackageType,
  type LayerInfo,
  type OsInfo,
  type Package,
  type ScanWarning,
  type Severity,
  type VulnerabilityFinding,
} from '@drydock/contract';
import {
  type AdvisoryTarget,
  advisoryTarget,
  normalizeName,
  resolveTarget,
  schemeOf,
} from '../osv/ecosystems.ts';
import { evaluateAffected, type RangeVerdict } from '../osv/ranges.ts';
import type { OsvRecord } from '../osv/types.ts';
import type { AdvisoryStore } from '../store/advisory-db.ts';
import { COMPARATORS } from '../versions/index.ts';
import { cvss3BaseScore, severityFromLabel, severityFromScore } from './cvss.ts';
import { fixCommand } from './fix-command.ts';
import { prioritize } from './priority.ts';

export interface Inventory {
  os?: OsInfo;
  layers: LayerInfo[];
  packages: Package[];
}

/** The names a package's advisories are filed under in its ecosystem. */
function advisoryNames(pkg: Package): string[] {
  switch (pkg.type) {
    case 'deb': // Debian and Ubuntu track source packages
    case 'apk': // Alpine tracks origins
      return [pkg.sourceName ?? pkg.name];
    case 'rpm': // AlmaLinux/Rocky list binary packages; Red Hat data also source rpms
      return [...new Set([pkg.name, pkg.sourceName ?? pkg.name])];
    default:
      return [pkg.name];
  }
}

/** The version the advisory data speaks of (source version for Debian, EVR for rpm). */
function comparableVersion(pkg: Package): string {
  if (pkg.type === 'deb') return pkg.sourceVersion ?? pkg.version;
  if (pkg.type === 'rpm') return pkg.epoch ? `${pkg.epoch}:${pkg.version}` : pkg.version;
  return pkg.version;
}

const cveOf = (ids: string[]) => ids.find((id) => /^CVE-\d{4}-\d+$/.test(id));

interface Hit {
  record: OsvRecord;
  verdict: RangeVerdict;
  willNotFix: boolean;
}

function recordSeverity(
  record: OsvRecord,
): { severity: Severity; score?: number; vector?: string; source: string } | undefined {
  const vector = record.severity?.find((s) => s.type === 'CVSS_V3')?.score;
  const score = vector ? cvss3BaseScore(vector) : undefined;
  const label =
    severityFromLabel(record.database_specific?.severity as string | undefined) ??
    severityFromLabel(/^(Critical|Important|Moderate|Low):/.exec(record.summary ?? '')?.[1]);
  const source = record.id.startsWith('GHSA-') ? 'GHSA' : (record.id.split('-')[0] ?? record.id);
  if (label)
    return {
      severity: label,
      ...(score !== undefined ? { score, vector } : {}),
      source: `${source} advisory`,
    };
  if (score !== undefined)
    return {
      severity: severityFromScore(score),
      score,
      ...(vector ? { vector } : {}),
      source: `${source} CVSS`,
    };
  return undefined;
}

/** Packages that could not be checked, by the advisory source they needed. */
export interface CoverageGap {
  category: 'system' | 'application';
  /** The source as an analyst names it: "Ubuntu 22.04", "Fedora Linux 41", "crates.io". */
  label: string;
  /** `unsupported`: no advisory source publishes it; `not_imported`: the database has none. */
  kind: 'unsupported' | 'not_imported';
  reason: string;
  ecosystems: string[];
  packages: number;
}

export interface Assessment {
  findings: VulnerabilityFinding[];
  /** What was looked up: each source with the ecosystems the database held and the packages. */
  checked: { label: string; ecosystems: string[]; packages: number }[];
  gaps: CoverageGap[];
  /** The gaps as scan warnings, for the report and the console. */
  warnings: ScanWarning[];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** One warning per gap: what was not checked, why, and what to do. */
export function coverageWarnings(gaps: CoverageGap[]): ScanWarning[] {
  return gaps.map((g) => ({
    code: (g.kind === 'unsupported'
      ? 'advisories_unsupported'
      : 'advisories_missing') satisfies CoverageWarningCode,
    message:
      g.kind === 'unsupported'
        ? `no advisories for ${g.label}: ${plural(g.packages, `${g.category} package`)} not checked for vulnerabilities (${g.reason})`
        : `no advisories for ${g.label} in the database (${g.ecosystems.join(', ')}): ${plural(g.packages, `${g.category} package`)} not checked for vulnerabilities; import them`,
  }));
}

/** The distribution's own rating when a record has no CVSS: Ubuntu priority, Debian urgency. */
function distroUrgency(record: OsvRecord): { severity: Severity; source: string } | undefined {
  const ubuntu = record.severity?.find((s) => s.type === 'Ubuntu')?.score;
  const ubuntuLevel = severityFromLabel(ubuntu);
  if (ubuntuLevel) return { severity: ubuntuLevel, source: 'Ubuntu priority' };
  const specific = record.database_specific as Record<string, unknown> | undefined;
  const urgency = [specific?.urgency, specific?.upload_urgency].find((u) => typeof u === 'string');
  const level =
    urgency === 'emergency' ? 'critical' : severityFromLabel(urgency as string | undefined);
  return level ? { severity: level, source: 'Debian urgency' } : undefined;
}

/** Changelog text used as a summary ("Debian changelog entry for …", "* security update"). */
const isChangelogLine = (text: string) =>
  /^(Debian changelog entry\b|\s*[*-] |[\w.+-]+ \([^)]+\) [\w-]+;)/i.test(text);

const firstSentence = (text: string | undefined) =>
  text ? (/^(.{1,200}?[.!?])(\s|$)/.exec(text)?.[1] ?? text.slice(0, 200)) : undefined;

/**
 * Matches an inventory against the advisory database: each package in its own ecosystem and
 * distribution release, one finding per vulnerability and package (aliases merged). Packages
 * whose source the database does not hold (or that no source publishes) are counted as gaps,
 * never reported as clean.
 */
export async function assessInventory(
  inventory: Inventory,
  db: AdvisoryStore,
): Promise<Assessment> {
  const kev = await db.knownExploited();
  const findings: VulnerabilityFinding[] = [];
  const checked = new Map<string, { label: string; ecosystems: string[]; packages: number }>();
  const gaps = new Map<string, CoverageGap>();
  const resolved = new Map<AdvisoryTarget, string[]>();
  const targets = new Map<string, AdvisoryTarget>();
  // A lock-file entry for a package also found installed (any version) is left to the installed
  // copy: one package, one answer.
  const nameKey = (p: Package) =>
    `${p.type}|${p.type === 'pypi' ? normalizeName('PyPI', p.name) : p.name}`;
  const installedNames = new Set(inventory.packages.filter((p) => !p.declared).map(nameKey));
  const work: {
    pkg: Inventory['packages'][number];
    installed: string;
    compare: (a: string, b: string) => number;
    lookups: { ecosystem: string; name: string }[];
  }[] = [];
  for (const pkg of inventory.packages) {
    if (pkg.declared && installedNames.has(nameKey(pkg))) continue;
    const category = isOsPackageType(pkg.type) ? 'system' : 'application';
    let target = targets.get(pkg.type);
    if (!target) {
      target = advisoryTarget(pkg.type, inventory.os);
      targets.set(pkg.type, target);
    }
    let ecosystems = resolved.get(target);
    if (!ecosystems) {
      ecosystems = 'exact' in target ? resolveTarget(target, await heldFor(db, target)) : [];
      resolved.set(target, ecosystems);
    }
    if (ecosystems.length === 0) {
      const key = `${category}|${target.label}`;
      const gap = gaps.get(key) ?? {
        category,
        label: target.label,
        kind: 'exact' in target ? ('not_imported' as const) : ('unsupported' as const),
        reason: 'exact' in target ? 'not imported' : target.unsupported,
        ecosystems:
          'exact' in target ? [...target.exact, ...target.prefixes.map((p) => `${p}*`)] : [],
        packages: 0,
      };
      gap.packages++;
      gaps.set(key, gap);
      continue;
    }
    const seen = checked.get(target.label) ?? { label: target.label, ecosystems, packages: 0 };
    seen.packages++;
    checked.set(target.label, seen);
    const scheme = schemeOf(ecosystems[0] as string);
    if (!scheme) continue;
    const compare = COMPARATORS[scheme];
    const installed = comparableVersion(pkg);
    if (pkg.type === 'golang' && !/^v?\d/.test(installed)) continue; // (devel): no version to match
    const lookups = ecosystems.flatMap((ecosystem) =>
      advisoryNames(pkg).map((name) => ({ ecosystem, name })),
    );
    work.push({ pkg, installed, compare, lookups });
  }
  // Every lookup of the image at once where the store can (one query instead of one per name).
  await db.prefetch?.(work.flatMap((w) => w.lookups));
  for (const { pkg, installed, compare, lookups } of work) {
    const hits: Hit[] = [];
    for (const { ecosystem, name } of lookups) {
      for (const { record, affected } of await db.lookup(ecosystem, name)) {
        if (hits.some((h) => h.record.id === record.id)) continue;
        if (record.withdrawn) continue;
        for (const entry of affected) {
          let verdict: RangeVerdict;
          try {
            verdict = evaluateAffected(entry, installed, compare);
          } catch {
            continue;
          }
          if (verdict.affected) {
            const status = (entry.database_specific?.status ?? entry.ecosystem_specific?.status) as
              | string
              | undefined;
            hits.push({
              record,
              verdict,
              willNotFix: /will.?not.?fix|wont.?fix|no.?dsa|ignored/i.test(status ?? ''),
            });
            break;
          }
        }
      }
    }
    // Merge records that describe the same vulnerability (shared CVE or alias).
    const groups: Hit[][] = [];
    for (const hit of hits) {
      const ids = new Set([
        hit.record.id,
        ...(hit.record.aliases ?? []),
        ...(hit.record.upstream ?? []),
      ]);
      const group = groups.find((g) =>
        g.some((h) =>
          [h.record.id, ...(h.record.aliases ?? []), ...(h.record.upstream ?? [])].some((id) =>
            ids.has(id),
          ),
        ),
      );
      if (group) group.push(hit);
      else groups.push([hit]);
    }
    for (const group of groups)
      findings.push(await toFinding(pkg, installed, group, inventory, db, kev, compare));
  }
  findings.sort((a, b) => a.packageName.localeCompare(b.packageName) || a.id.localeCompare(b.id));
  const gapList = [...gaps.values()];
  return {
    findings,
    checked: [...checked.values()],
    gaps: gapList,
    warnings: coverageWarnings(gapList),
  };
}

/** The ecosystems the database holds in the groups a target names. */
async function heldFor(db: AdvisoryStore, target: { exact: string[]; prefixes: string[] }) {
  const groups = new Set(
    [...target.exact, ...target.prefixes].map((e) => e.split(':')[0] as string),
  );
  const held = new Set<string>();
  for (const group of groups) for (const e of await db.ecosystems(group)) held.add(e);
  return held;
}

/** `assessInventory`'s findings alone. */
export async function matchInventory(
  inventory: Inventory,
  db: AdvisoryStore,
): Promise<VulnerabilityFinding[]> {
  return (await assessInventory(inventory, db)).findings;
}

async function toFinding(
  pkg: Package,
  installed: string,
  group: Hit[],
  inventory: Inventory,
  db: AdvisoryStore,
  kev: Set<string>,
  compare: (a: string, b: string) => number,
): Promise<VulnerabilityFinding> {
  const allIds = [
    ...new Set(
      group.flatMap((h) => [
        h.record.id,
        ...(h.record.aliases ?? []),
        ...(h.record.upstream ?? []),
      ]),
    ),
  ];
  const cve = cveOf(allIds);
  const id = cve ?? (group[0] as Hit).record.id;
  const fixes = group.flatMap((h) => (h.verdict.fixed ? [h.verdict.fixed] : [])).sort(compare);
  const fixedVersion = fixes[0];
  const lastAffected = group.find((h) => h.verdict.lastAffected)?.verdict.lastAffected;
  const willNotFix = !fixedVersion && group.some((h) => h.willNotFix);
  // Severity: the distribution's or ecosystem's own record first, then GHSA, then the CVE record.
  const ordered = [...group].sort(
    (a, b) => Number(a.record.id.startsWith('GHSA-')) - Number(b.record.id.startsWith('GHSA-')),
  );
  let sev = ordered.map((h) => recordSeverity(h.record)).find(Boolean);
  const cveInfo = cve ? await db.cve(cve) : undefined;
  if (!sev && cveInfo?.cvssScore !== undefined) {
    sev = {
      severity: severityFromLabel(cveInfo.cvssSeverity) ?? severityFromScore(cveInfo.cvssScore),
      score: cveInfo.cvssScore,
      ...(cveInfo.cvssVector ? { vector: cveInfo.cvssVector } : {}),
      source: 'CVE record CVSS',
    };
  }
  // Last resort before "unknown": the distribution's own urgency (Ubuntu priority, Debian urgency).
  if (!sev) sev = ordered.map((h) => distroUrgency(h.record)).find(Boolean);
  const severity = sev?.severity ?? 'unknown';
  const knownExploited = allIds.some((i) => kev.has(i));
  const { priority, reason } = prioritize({
    severity,
    knownExploited,
    fixAvailable: fixedVersion !== undefined,
    ...(sev?.score !== undefined ? { cvssScore: sev.score } : {}),
  });
  const layer = inventory.layers[pkg.layerIndex];
  const state = pkg.declared
    ? `${installed} declared in ${pkg.path.split('/').at(-1)} (not found installed)`
    : `installed ${installed}`;
  const cause = fixedVersion
    ? `${state} is lower than fixed ${fixedVersion}`
    : lastAffected
      ? `${state} is at or below the last affected version ${lastAffected}; no fixed version is published`
      : willNotFix
        ? `${state} is affected; the distribution will not fix it`
        : `${state} is affected; no fixed version is available`;
  const first = group[0] as Hit;
  // A summary that is a changelog line says nothing about the vulnerability: the CVE's own
  // title or description does.
  const summary = group.map((h) => h.record.summary).find((t) => t && !isChangelogLine(t));
  const details = group.map((h) => h.record.details).find((d) => d && !isChangelogLine(d));
  const [title, titleSource] = summary
    ? [summary, 'advisory summary']
    : cveInfo?.title
      ? [cveInfo.title, 'CVE record title']
      : cveInfo?.description
        ? [firstSentence(cveInfo.description) as string, 'CVE record description']
        : details
          ? [details.split('\n')[0]?.slice(0, 200) || id, 'advisory details']
          : [(first.record.details ?? '').split('\n')[0]?.slice(0, 200) || id, 'advisory record'];
  const references = [
    ...(cve ? [`https://nvd.nist.gov/vuln/detail/${cve}`] : []),
    ...group.map((h) => `https://osv.dev/vulnerability/${h.record.id}`),
    ...group.flatMap((h) => (h.record.references ?? []).map((r) => r.url)),
  ];
  const description = group.map((h) => h.record.details).find(Boolean) ?? cveInfo?.description;
  const ecosystemVersion = pkg.type === 'deb' ? pkg.version : installed;
  return {
    id,
    aliases: allIds.filter((i) => i !== id).sort(),
    advisoryIds: group.map((h) => h.record.id),
    category: isOsPackageType(pkg.type) ? 'system' : 'application',
    packageName: pkg.name,
    packageType: pkg.type,
    purl: pkg.purl,
    installedVersion: ecosystemVersion,
    ...(fixedVersion ? { fixedVersion } : {}),
    status: fixedVersion ? 'fixed' : willNotFix ? 'will_not_fix' : 'affected',
    severity,
    ...(sev ? { severitySource: sev.source } : {}),
    titleSource,
    priority,
    priorityReason: reason,
    ...(sev?.score !== undefined
      ? {
          cvss: {
            score: sev.score,
            ...(sev.vector ? { vector: sev.vector } : {}),
            version: sev.vector?.startsWith('CVSS:3.0') ? '3.0' : '3.1',
          },
        }
      : {}),
    knownExploited,
    layerDiffId: pkg.layerDiffId,
    layerIndex: pkg.layerIndex,
    ...(layer?.createdBy ? { createdBy: layer.createdBy } : {}),
    path: pkg.path,
    ...(fixedVersion ? { fixCommand: fixCommand(pkg, fixedVersion) } : {}),
    cause,
    ...(pkg.declared ? { declared: true } : {}),
    title: title || id,
    ...(description ? { description } : {}),
    references: [...new Set(references)].slice(0, 30),
  };
}

export { normalizeName };
