import type { OsInfo, PackageType } from '@drydock/contract';
import type { VersionScheme } from '../versions/index.ts';

/** The OSV ecosystem (with release, for distributions) a package's advisories live in. */
export function osvEcosystem(type: PackageType, os: OsInfo | undefined): string | undefined {
  switch (type) {
    case 'deb':
      if (os?.family === 'debian') return `Debian:${os.version.split('.')[0]}`;
      if (os?.family === 'ubuntu') return `Ubuntu:${os.version}`;
      return undefined;
    case 'apk': {
      if (os?.family !== 'alpine') return undefined;
      const [major, minor] = os.version.split('.');
      return `Alpine:v${major}.${minor}`;
    }
    case 'rpm': {
      const major = os?.version.split('.')[0];
      if (os?.family === 'almalinux') return `AlmaLinux:${major}`;
      if (os?.family === 'rocky') return `Rocky Linux:${major}`;
      if (os?.family === 'rhel') return `Red Hat:${major}`;
      if (os?.family === 'suse' || os?.family === 'opensuse') return `SUSE:${os.version}`;
      if (os?.family === 'mariner') return `Mariner:${os.version}`;
      return undefined;
    }
    case 'npm':
      return 'npm';
    case 'pypi':
      return 'PyPI';
    case 'maven':
      return 'Maven';
    case 'golang':
      return 'Go';
    case 'cargo':
      return 'crates.io';
    case 'gem':
      return 'RubyGems';
    case 'composer':
      return 'Packagist';
    case 'nuget':
      return 'NuGet';
  }
}

/** The version scheme of an OSV ecosystem ("Debian:12" → dpkg). */
export function schemeOf(ecosystem: string): VersionScheme | undefined {
  const base = ecosystem.split(':')[0] as string;
  switch (base) {
    case 'Debian':
    case 'Ubuntu':
      return 'dpkg';
    case 'Alpine':
      return 'apk';
    case 'AlmaLinux':
    case 'Rocky Linux':
    case 'Red Hat':
    case 'SUSE':
    case 'openSUSE':
    case 'Mariner':
      return 'rpm';
    case 'npm':
    case 'crates.io':
    case 'Go':
    case 'Hex':
      return 'semver';
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

/** Package names as each ecosystem compares them. */
export function normalizeName(ecosystem: string, name: string): string {
  const base = ecosystem.split(':')[0];
  if (base === 'PyPI') return name.toLowerCase().replace(/[-_.]+/g, '-');
  if (base === 'npm' || base === 'NuGet' || base === 'Packagist' || base === 'Maven')
    return name.toLowerCase();
  return name;
}
