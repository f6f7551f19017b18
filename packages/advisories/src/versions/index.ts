import { compareApk } from './apk.ts';
import { compareDotted } from './dotted.ts';
import { compareDpkg } from './dpkg.ts';
import { compareMaven } from './maven.ts';
import { compareNuget } from './nuget.ts';
import { comparePackagist } from './packagist.ts';
import { comparePep440 } from './pep440.ts';
import { comparePub } from './pub.ts';
import { compareRpm } from './rpm.ts';
import { compareRubygems } from './rubygems.ts';
import { compareSemver } from './semver.ts';

export type VersionScheme =
  | 'dpkg'
  | 'rpm'
  | 'apk'
  | 'semver'
  | 'pep440'
  | 'maven'
  | 'rubygems'
  | 'nuget'
  | 'packagist'
  | 'pub'
  | 'dotted';

export type Comparator = (a: string, b: string) => number;

export const COMPARATORS: Record<VersionScheme, Comparator> = {
  dpkg: compareDpkg,
  rpm: compareRpm,
  apk: compareApk,
  semver: compareSemver,
  pep440: comparePep440,
  maven: compareMaven,
  rubygems: compareRubygems,
  nuget: compareNuget,
  packagist: comparePackagist,
  pub: comparePub,
  dotted: compareDotted,
};
