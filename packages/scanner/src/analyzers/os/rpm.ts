import type { OsInfo, ScanWarning } from '@drydock/contract';
import type { ImageFs } from '../../fs/image-fs.ts';
import { purl } from '../../purl.ts';
import { rpmHeaderBlobs } from '../rpm/databases.ts';
import { rpmPackageFromHeader } from '../rpm/header.ts';
import { linkDependencies, type OsPackageAnalyzer, type OsPackageRecord } from './types.ts';

/** rpm database files, newest layout first: the first one present is the live database. */
export const RPM_DATABASES = [
  'usr/lib/sysimage/rpm/rpmdb.sqlite',
  'usr/lib/sysimage/rpm/Packages.db',
  'usr/lib/sysimage/rpm/Packages',
  'var/lib/rpm/rpmdb.sqlite',
  'var/lib/rpm/Packages.db',
  'var/lib/rpm/Packages',
];

const RPM_NAMESPACES: Partial<Record<string, string>> = {
  rhel: 'redhat',
  centos: 'centos',
  rocky: 'rocky',
  almalinux: 'almalinux',
  fedora: 'fedora',
  amazon: 'amazon',
  oracle: 'oracle',
  suse: 'suse',
  opensuse: 'opensuse',
  photon: 'photon',
  mariner: 'mariner',
  azurelinux: 'azurelinux',
};

/** "openssl-3.0.7-27.el9.src.rpm" → name "openssl", version "3.0.7-27.el9". */
export function splitSourceRpm(sourceRpm: string): { name: string; version: string } | undefined {
  const match = /^(.+)-([^-]+)-([^-]+)\.(?:no)?src\.rpm$/.exec(sourceRpm);
  return match ? { name: match[1] as string, version: `${match[2]}-${match[3]}` } : undefined;
}

/** RHEL family, Fedora, SUSE, Amazon, Mariner…: sqlite, BerkeleyDB and ndb rpm databases. */
export const rpmAnalyzer: OsPackageAnalyzer = {
  name: 'rpm',
  version: '2',
  type: 'rpm',
  wellKnownPaths: RPM_DATABASES,
  captures: (path) => RPM_DATABASES.includes(path),
  async collect(fs: ImageFs, warn: (w: ScanWarning) => void) {
    const path = RPM_DATABASES.find((p) => fs.readFile(p));
    if (!path) return [];
    const data = fs.readFile(path) as Buffer;
    const records: OsPackageRecord[] = [];
    for (const blob of await rpmHeaderBlobs(data)) {
      let info: ReturnType<typeof rpmPackageFromHeader>;
      try {
        info = rpmPackageFromHeader(blob);
      } catch (error) {
        warn({
          code: 'rpm_bad_header',
          message: `skipped an rpm header: ${(error as Error).message}`,
          path,
        });
        continue;
      }
      // gpg-pubkey entries are imported signing keys, not installed software.
      if (!info || info.name === 'gpg-pubkey') continue;
      const version = info.release ? `${info.version}-${info.release}` : info.version;
      const source = info.sourceRpm ? splitSourceRpm(info.sourceRpm) : undefined;
      records.push({
        name: info.name,
        version,
        type: 'rpm',
        sourceName: source?.name ?? info.name,
        sourceVersion: source?.version ?? version,
        ...(info.epoch !== undefined ? { epoch: info.epoch } : {}),
        ...(info.arch ? { arch: info.arch } : {}),
        ...(info.license ? { licenses: [info.license] } : {}),
        path,
        ownedFiles: info.files.map((f) => f.replace(/^\/+/, '')),
        ...(info.requires.length ? { requires: info.requires.map((r) => [r]) } : {}),
        ...(info.provides.length ? { provides: info.provides } : {}),
      });
    }
    linkDependencies(records);
    return records;
  },
  purl(record: OsPackageRecord, os: OsInfo | undefined) {
    return purl({
      type: 'rpm',
      namespace: (os && RPM_NAMESPACES[os.family]) ?? os?.family ?? 'rpm',
      name: record.name,
      version: record.version,
      qualifiers: {
        arch: record.arch,
        epoch: record.epoch !== undefined && record.epoch !== 0 ? String(record.epoch) : undefined,
        distro: os ? `${os.family}-${os.version}` : undefined,
      },
    });
  },
};
