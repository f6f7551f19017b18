import {
  isOsPackageType,
  type OsInfo,
  type OsPackageType,
  type PackageType,
} from '@drydock/contract';
import type { VersionScheme } from '../versions/index.ts';

/**
 * Where a package's advisories live: the OSV ecosystems to look in (`exact`, and for Red Hat,
 * whose ecosystems name product streams, every ecosystem starting with one of `prefixes`), and
 * how to name that source to an analyst ("Ubuntu 22.04", "PyPI"). `unsupported` when no OSV
 * source covers the package's OS release: its packages are reported as not checked.
 */
export type AdvisoryTarget =
  | { label: string; exact: string[]; prefixes: string[] }
  | { label: string; unsupported: string };

const target = (label: string, exact: string[], prefixes: string[] = []): AdvisoryTarget => ({
  label,
  exact,
  prefixes,
});

const osName = (os: OsInfo) => os.prettyName ?? `${os.family} ${os.version}`.trim();

/** OS packages: the distribution release's ecosystem(s) as the OSV schema spells them. */
function osTarget(os: OsInfo | undefined): AdvisoryTarget {
  if (!os) {
    return {
      label: 'unknown OS',
      unsupported: 'the OS could not be identified (no os-release or release file)',
    };
  }
  const major = os.version.split('.')[0] ?? '';
  const none = (why = `no OSV advisory source publishes ${osName(os)}`) => ({
    label: osName(os),
    unsupported: why,
  });
  switch (os.family) {
    case 'debian':
      // Point releases share their major's advisories ("Debian:12"); testing/sid by name.
      return /^\d+$/.test(major)
        ? target(`Debian ${major}`, [`Debian:${major}`])
        : target(`Debian ${os.codename ?? os.version}`, [`Debian:${os.codename ?? os.version}`]);
    case 'ubuntu':
      // LTS releases carry the mandatory ":LTS" suffix; interim releases do not. Ubuntu Pro
      // (ESM) streams are not looked at: their fixes need a subscription the image may not have.
      return target(`Ubuntu ${os.version}`, [`Ubuntu:${os.version}:LTS`, `Ubuntu:${os.version}`]);
    case 'alpine': {
      const [maj, min] = os.version.split('.');
      return maj && min ? target(`Alpine ${maj}.${min}`, [`Alpine:v${maj}.${min}`]) : none();
    }
    case 'wolfi':
      return target('Wolfi', ['Wolfi']);
    case 'chainguard':
      return target('Chainguard', ['Chainguard']);
    case 'alpaquita':
      return target(`Alpaquita ${os.version}`, [`Alpaquita:${os.version}`]);
    case 'minimos':
      return target('MinimOS', ['MinimOS']);
    case 'almalinux':
      return target(`AlmaLinux ${major}`, [`AlmaLinux:${major}`]);
    case 'rocky':
      return target(`Rocky Linux ${major}`, [`Rocky Linux:${major}`]);
    case 'rhel': {
      // Red Hat names CPE product streams: enterprise_linux:9::baseos, ::appstream, ::crb…
      // (UBI images install from the same streams). The image's content manifests say which
      // streams its RPMs came from; without them (or with one we cannot name) every stream of
      // the release is looked at.
      const label = `Red Hat Enterprise Linux ${major}`;
      const streams = (os.contentSets ?? []).map(redHatStream);
      if (streams.length > 0 && streams.every(Boolean)) {
        const named = [...new Set(streams as string[])];
        return target(
          `${label} (${named.join(', ')})`,
          named.map((st) => `Red Hat:enterprise_linux:${major}::${st}`),
        );
      }
      return target(
        label,
        [`Red Hat:enterprise_linux:${major}`],
        [`Red Hat:enterprise_linux:${major}::`],
      );
    }
    case 'suse':
    case 'opensuse': {
      // The release is the marketing name, as os-release's PRETTY_NAME spells it.
      const eco = os.family === 'suse' ? 'SUSE' : 'openSUSE';
      const name = os.prettyName;
      if (!name) return none(`${eco} needs PRETTY_NAME in os-release to name its release`);
      return target(name, [`${eco}:${name}`]);
    }
    case 'photon':
      return target(`Photon OS ${os.version}`, [`Photon OS:${os.version}`]);
    case 'openeuler':
      return target(`openEuler ${os.version}`, [`openEuler:${os.version}`]);
    case 'mageia':
      return target(`Mageia ${major}`, [`Mageia:${major}`]);
    default:
      return none();
  }
}

/**
 * The product stream of a Red Hat content set (repository id): `rhel-9-for-x86_64-baseos-rpms`,
 * `ubi-9-baseos-rpms` → baseos; `codeready-builder-for-rhel-9-x86_64-rpms` → crb; undefined
 * for a repository we cannot name.
 */
export function redHatStream(contentSet: string): string | undefined {
  const s = contentSet.toLowerCase();
  if (/codeready-builder|(^|-)crb(-|$)/.test(s)) return 'crb';
  for (const stream of [
    'baseos',
    'appstream',
    'highavailability',
    'resilientstorage',
    'supplementary',
    'sap_solutions',
    'nfv',
  ]) {
    if (s.includes(stream.replace('_', '-')) || s.includes(stream)) return stream;
  }
  // RHEL 7 and older: rhel-7-server-rpms, rhel-7-server-optional-rpms…
  if (/^rhel-\d+-server(-optional|-extras)?-rpms$/.test(s)) return 'server';
  if (/^ubi-\d+-server(-optional|-extras)?-rpms$|^ubi-7(-|$)/.test(s)) return 'server';
  return undefined;
}

const LANGUAGE: Partial<Record<PackageType, string>> = {
  npm: 'npm',
  pypi: 'PyPI',
  maven: 'Maven',
  golang: 'Go',
  cargo: 'crates.io',
  gem: 'RubyGems',
  composer: 'Packagist',
  nuget: 'NuGet',
  cran: 'CRAN',
  hex: 'Hex',
  pub: 'Pub',
  swift: 'SwiftURL',
  hackage: 'Hackage',
  conan: 'ConanCenter',
};

/**
 * Every OSV ecosystem (the folder of the OSV bucket) the matcher looks packages up in: the
 * distributions `osTarget` names and the language ecosystems above. Default of online imports.
 */
export const OSV_ECOSYSTEMS_LOOKED_UP: readonly string[] = [
  'Debian',
  'Ubuntu',
  'Alpine',
  'Wolfi',
  'Chainguard',
  'Alpaquita',
  'MinimOS',
  'AlmaLinux',
  'Rocky Linux',
  'Red Hat',
  'SUSE',
  'openSUSE',
  'Photon OS',
  'openEuler',
  'Mageia',
  ...Object.values(LANGUAGE),
];

/** Package types no OSV ecosystem publishes advisories for: why, in the analyst's words. */
const NO_SOURCE: Partial<Record<PackageType, string>> = {
  pear: 'no advisory source publishes PEAR/PECL packages',
  'wordpress-plugin': 'no OSV advisory source publishes WordPress plugins',
  conda: 'no advisory source publishes conda packages (their Python libraries are checked as PyPI)',
  luarocks: 'no advisory source publishes LuaRocks packages',
  cocoapods: 'no advisory source publishes CocoaPods packages',
  nix: 'no advisory source publishes Nix store packages',
  brew: 'no advisory source publishes Homebrew packages',
  binary: 'no OSV advisory source publishes binaries identified by their version strings',
};

/** The OS package types and the families whose databases they are. */
const OS_FAMILIES: Record<OsPackageType, readonly string[]> = {
  deb: ['debian', 'ubuntu'],
  apk: ['alpine', 'wolfi', 'chainguard', 'alpaquita', 'minimos'],
  rpm: ['almalinux', 'rocky', 'rhel', 'suse', 'opensuse', 'photon', 'openeuler', 'mageia'],
  alpm: ['arch'],
  ebuild: ['gentoo'],
};

export function advisoryTarget(type: PackageType, os: OsInfo | undefined): AdvisoryTarget {
  if (isOsPackageType(type)) {
    const t = osTarget(os);
    // A package database of another family (apk in a Debian image) has no release to match.
    if ('exact' in t && os && !OS_FAMILIES[type].includes(os.family)) {
      return {
        label: t.label,
        unsupported: `${type} packages on ${osName(os)} have no advisories`,
      };
    }
    return t;
  }
  const eco = LANGUAGE[type];
  return eco
    ? target(eco, [eco])
    : { label: type, unsupported: NO_SOURCE[type] ?? `no advisories for ${type}` };
}

/**
 * The ecosystems of a target that the database holds (`held`: every ecosystem with a record).
 * Empty: the database has nothing for it (not imported, or the release is not published).
 */
export function resolveTarget(t: AdvisoryTarget, held: ReadonlySet<string>): string[] {
  if (!('exact' in t)) return [];
  const out = t.exact.filter((e) => held.has(e));
  if (t.prefixes.length) {
    for (const e of held) if (t.prefixes.some((p) => e.startsWith(p))) out.push(e);
  }
  return [...new Set(out)];
}

/** The version scheme of an OSV ecosystem ("Debian:12" → dpkg). */
export function schemeOf(ecosystem: string): VersionScheme | undefined {
  const base = ecosystem.split(':')[0] as string;
  switch (base) {
    case 'Debian':
    case 'Ubuntu':
      return 'dpkg';
    case 'Alpine':
    case 'Wolfi':
    case 'Chainguard':
    case 'Alpaquita':
    case 'MinimOS':
      return 'apk';
    case 'AlmaLinux':
    case 'Rocky Linux':
    case 'Red Hat':
    case 'SUSE':
    case 'openSUSE':
    case 'Photon OS':
    case 'openEuler':
    case 'Mageia':
      return 'rpm';
    case 'npm':
    case 'crates.io':
    case 'Go':
    case 'Hex':
    case 'SwiftURL':
      return 'semver';
    case 'Pub':
      return 'pub';
    case 'CRAN':
    case 'Hackage':
    case 'ConanCenter':
      return 'dotted';
    case 'PyPI':
      return 'pep440';
    case 'Maven':
      return 'maven';
    case 'RubyGems':
      return 'rubygems';
    case 'NuGet':
      return 'nuget';
    case 'Packagist':
      return 'packagist';
    default:
      return undefined;
  }
}

/** How a package type's versions compare (its fixed versions, for one to pick the highest). */
export function schemeOfPackageType(type: string): VersionScheme | undefined {
  if (type === 'deb') return 'dpkg';
  if (type === 'apk') return 'apk';
  if (type === 'rpm') return 'rpm';
  const eco = LANGUAGE[type as PackageType];
  return eco ? schemeOf(eco) : undefined;
}

/** Package names as each ecosystem compares them. */
export function normalizeName(ecosystem: string, name: string): string {
  const base = ecosystem.split(':')[0];
  if (base === 'PyPI') return name.toLowerCase().replace(/[-_.]+/g, '-');
  if (base === 'ConanCenter' || base === 'Hex' || base === 'Pub') return name.toLowerCase();
  if (base === 'npm' || base === 'NuGet' || base === 'Packagist' || base === 'Maven')
    return name.toLowerCase();
  return name;
}
