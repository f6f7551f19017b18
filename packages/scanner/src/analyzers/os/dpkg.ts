import type { OsInfo, ScanWarning } from '@drydock/contract';
import type { ImageFs } from '../../fs/image-fs.ts';
import { purl } from '../../purl.ts';
import {
  linkDependencies,
  type OsPackageAnalyzer,
  type OsPackageRecord,
  parseControlParagraphs,
} from './types.ts';

const STATUS = 'var/lib/dpkg/status';
const STATUS_D = 'var/lib/dpkg/status.d';
const INFO = 'var/lib/dpkg/info';

function ownedFromList(text: string | undefined): string[] {
  if (!text) return [];
  return text
    .split('\n')
    .map((line) => line.trim().replace(/^\/+/, ''))
    .filter((line) => line !== '' && line !== '.');
}

function ownedFromMd5sums(text: string | undefined): string[] {
  if (!text) return [];
  return text
    .split('\n')
    .map((line) => line.trim().split(/\s+/).slice(1).join(' ').replace(/^\/+/, ''))
    .filter(Boolean);
}

function isInstalled(status: string | undefined): boolean {
  // "want flag status": only the third word says whether the files are on disk.
  if (status === undefined) return true; // distroless status.d entries carry no Status field
  const state = status.split(/\s+/)[2];
  return (
    state === 'installed' ||
    state === 'half-configured' ||
    state === 'triggers-awaited' ||
    state === 'triggers-pending'
  );
}

function toRecord(
  fields: Record<string, string>,
  path: string,
  owned: string[],
): OsPackageRecord | undefined {
  const name = fields.Package;
  const version = fields.Version;
  if (!name || !version) return undefined;
  let sourceName = name;
  let sourceVersion = version;
  if (fields.Source) {
    const match = /^(\S+)(?:\s+\((.+)\))?$/.exec(fields.Source.trim());
    if (match) {
      sourceName = match[1] as string;
      if (match[2]) sourceVersion = match[2];
    }
  }
  const requires = [fields['Pre-Depends'], fields.Depends].flatMap((f) => relations(f));
  const provides = relations(fields.Provides).flat();
  return {
    name,
    version,
    type: 'deb',
    sourceName,
    sourceVersion,
    ...(fields.Architecture ? { arch: fields.Architecture } : {}),
    path,
    ownedFiles: owned,
    ...(requires.length ? { requires } : {}),
    ...(provides.length ? { provides } : {}),
  };
}

/**
 * A dpkg relationship field (`libc6 (>= 2.34), debconf (>= 0.5) | debconf-2.0`): entries of
 * alternatives, package names only (versions, architecture qualifiers and profiles dropped).
 */
function relations(field: string | undefined): string[][] {
  if (!field) return [];
  return field
    .split(',')
    .map((entry) =>
      entry
        .split('|')
        .map(
          (alt) =>
            alt
              .trim()
              .split(/[\s([<]/)[0]
              ?.replace(/:[\w-]+$/, '') ?? '',
        )
        .filter(Boolean),
    )
    .filter((alternatives) => alternatives.length > 0);
}

/** Debian and Ubuntu: var/lib/dpkg/status (+ info/*.list), distroless var/lib/dpkg/status.d/*. */
export const dpkgAnalyzer: OsPackageAnalyzer = {
  name: 'dpkg',
  version: '2',
  type: 'deb',
  wellKnownPaths: [STATUS],
  captures(path) {
    return (
      path === STATUS ||
      (path.startsWith(`${STATUS_D}/`) && !path.slice(STATUS_D.length + 1).includes('/')) ||
      (path.startsWith(`${INFO}/`) && path.endsWith('.list'))
    );
  },
  async collect(fs: ImageFs, warn: (w: ScanWarning) => void) {
    const records: OsPackageRecord[] = [];
    const readList = (name: string, arch: string | undefined) =>
      fs.readFile(`${INFO}/${name}:${arch}.list`)?.toString('utf8') ??
      fs.readFile(`${INFO}/${name}.list`)?.toString('utf8');
    const status = fs.readFile(STATUS);
    if (status) {
      for (const fields of parseControlParagraphs(status.toString('utf8'))) {
        if (!isInstalled(fields.Status)) continue;
        const record = toRecord(
          fields,
          STATUS,
          ownedFromList(readList(fields.Package ?? '', fields.Architecture)),
        );
        if (record) records.push(record);
        else
          warn({
            code: 'dpkg_bad_entry',
            message: 'dpkg status entry without Package or Version',
            path: STATUS,
          });
      }
    }
    for (const [file, node] of fs.list(STATUS_D)) {
      if (node.type !== 'file' || file.endsWith('.md5sums') || file.startsWith('.')) continue;
      const path = `${STATUS_D}/${file}`;
      const text = fs.readFile(path)?.toString('utf8');
      if (!text) continue;
      for (const fields of parseControlParagraphs(text)) {
        if (!isInstalled(fields.Status)) continue;
        const md5 = fs.readFile(`${STATUS_D}/${fields.Package}.md5sums`)?.toString('utf8');
        const record = toRecord(fields, path, ownedFromMd5sums(md5));
        if (record) records.push(record);
      }
    }
    linkDependencies(records);
    return records;
  },
  purl(record: OsPackageRecord, os: OsInfo | undefined) {
    const namespace = os?.family === 'ubuntu' ? 'ubuntu' : 'debian';
    return purl({
      type: 'deb',
      namespace,
      name: record.name,
      version: record.version,
      qualifiers: {
        arch: record.arch,
        distro: os ? `${os.family}-${os.version}` : undefined,
      },
    });
  },
};
