import { binaryAnalyzer } from './app/binary.ts';
import { dotnetAnalyzer } from './app/dotnet.ts';
import { cargoAnalyzer, composerAnalyzer, rubyAnalyzer } from './app/ecosystems.ts';
import {
  condaAnalyzer,
  homebrewAnalyzer,
  luarocksAnalyzer,
  nixAnalyzer,
  pearAnalyzer,
  rAnalyzer,
  wordpressAnalyzer,
} from './app/installed.ts';
import { javaAnalyzer } from './app/java.ts';
import {
  conanAnalyzer,
  goModAnalyzer,
  haskellAnalyzer,
  hexAnalyzer,
  pubAnalyzer,
  swiftAnalyzer,
} from './app/lockfiles.ts';
import { npmAnalyzer } from './app/npm.ts';
import { pythonAnalyzer } from './app/python.ts';
import type { AppAnalyzer } from './app/types.ts';
import { apkAnalyzer } from './os/apk.ts';
import { dpkgAnalyzer } from './os/dpkg.ts';
import { pacmanAnalyzer } from './os/pacman.ts';
import { portageAnalyzer } from './os/portage.ts';
import { rpmAnalyzer } from './os/rpm.ts';
import type { OsPackageAnalyzer } from './os/types.ts';

/**
 * The analyzer registry: every analyzer the scanner runs, each with a version that is bumped
 * whenever its output for the same files can change. A stored analysis records the versions it
 * was made with (`formatAnalyzerVersions`); `planReanalysis` says what a changed registry makes
 * stale, so a changed application analyzer re-reads only its own files.
 */

/** The OS release files (`/etc/os-release` and friends) that say which distribution it is. */
export const OS_DETECTION = { name: 'os-release', version: '2' } as const;

/** OS package databases: every one is read from every image (cheap: one file each). */
export const OS_ANALYZERS: readonly OsPackageAnalyzer[] = [
  dpkgAnalyzer,
  apkAnalyzer,
  rpmAnalyzer,
  pacmanAnalyzer,
  portageAnalyzer,
];

/**
 * Application analyzers, in precedence order: a file several could read is read by the first
 * that claims it.
 */
export const APP_ANALYZERS: readonly AppAnalyzer[] = [
  npmAnalyzer,
  pythonAnalyzer,
  javaAnalyzer,
  cargoAnalyzer,
  rubyAnalyzer,
  composerAnalyzer,
  dotnetAnalyzer,
  // Added in analysis version 2 (after the first eight, so stored analyses re-run only these).
  goModAnalyzer,
  pearAnalyzer,
  wordpressAnalyzer,
  condaAnalyzer,
  rAnalyzer,
  luarocksAnalyzer,
  hexAnalyzer,
  pubAnalyzer,
  swiftAnalyzer,
  haskellAnalyzer,
  conanAnalyzer,
  homebrewAnalyzer,
  nixAnalyzer,
  binaryAnalyzer,
];

export interface AnalyzerVersion {
  name: string;
  version: string;
  /** `os`: OS detection and package databases (their results feed every application package). */
  kind: 'os' | 'app';
}

/** Every analyzer with its version, OS ones first, then application ones in precedence order. */
export const ANALYZERS: readonly AnalyzerVersion[] = [
  { ...OS_DETECTION, kind: 'os' },
  ...OS_ANALYZERS.map((a) => ({ name: a.name, version: a.version, kind: 'os' as const })),
  ...APP_ANALYZERS.map((a) => ({ name: a.name, version: a.version, kind: 'app' as const })),
];

/** `os:os-release@1 os:dpkg@1 … app:npm@1 …`: what a stored analysis records. */
export const formatAnalyzerVersions = (analyzers: readonly AnalyzerVersion[] = ANALYZERS) =>
  analyzers.map((a) => `${a.kind}:${a.name}@${a.version}`).join(' ');

const ENTRY = /^([a-z]+):([\w.-]+)@([\w.+-]+)$/;

/**
 * The analyzers a stored analysis recorded (entries of other kinds, such as the worker's
 * `malware:rules@…`, are skipped); undefined when the record is not in that form.
 */
export function parseAnalyzerVersions(text: string): AnalyzerVersion[] | undefined {
  const out: AnalyzerVersion[] = [];
  for (const part of text.split(' ')) {
    const m = ENTRY.exec(part);
    if (!m) return undefined;
    const [, kind, name = '', version = ''] = m;
    if (kind === 'os' || kind === 'app') out.push({ kind, name, version });
  }
  return out.length ? out : undefined;
}

/**
 * What a stored analysis made with `stored` needs under the `current` registry:
 * - `none`: the same analyzers, versions and order;
 * - `full`: an OS analyzer changed (every application package depends on which files the OS
 *   packages own), or the record is unreadable;
 * - `partial`: the application analyzers from the first changed one on are run again (`run`),
 *   the packages of those before it are kept (`reuse`). Everything after the first change is
 *   re-run because a changed analyzer may now claim files a later one used to read.
 */
export type Reanalysis =
  | { kind: 'none' }
  | { kind: 'full' }
  | { kind: 'partial'; run: string[]; reuse: string[] };

export function planReanalysis(
  stored: string,
  current: readonly AnalyzerVersion[] = ANALYZERS,
): Reanalysis {
  const before = parseAnalyzerVersions(stored);
  if (!before) return { kind: 'full' };
  const same = (a?: AnalyzerVersion, b?: AnalyzerVersion) =>
    a !== undefined && b !== undefined && a.name === b.name && a.version === b.version;
  const osBefore = before.filter((a) => a.kind === 'os');
  const osNow = current.filter((a) => a.kind === 'os');
  if (osBefore.length !== osNow.length || osNow.some((a, i) => !same(a, osBefore[i]))) {
    return { kind: 'full' };
  }
  const appBefore = before.filter((a) => a.kind === 'app');
  const appNow = current.filter((a) => a.kind === 'app');
  let kept = 0;
  while (kept < appNow.length && same(appNow[kept], appBefore[kept])) kept++;
  if (kept === appNow.length && appBefore.length === appNow.length) return { kind: 'none' };
  return {
    kind: 'partial',
    run: appNow.slice(kept).map((a) => a.name),
    reuse: appNow.slice(0, kept).map((a) => a.name),
  };
}
