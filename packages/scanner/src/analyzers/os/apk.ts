import type { OsInfo } from '@drydock/contract';
import type { ImageFs } from '../../fs/image-fs.ts';
import { normalizeLicense } from '../../licenses.ts';
import { purl } from '../../purl.ts';
import { linkDependencies, type OsPackageAnalyzer, type OsPackageRecord } from './types.ts';

const INSTALLED = 'lib/apk/db/installed';

/** Parses Alpine's installed database: blank-line separated records of `X:value` lines. */
export function parseApkInstalled(text: string, path = INSTALLED): OsPackageRecord[] {
  const records: OsPackageRecord[] = [];
  let fields: Record<string, string> = {};
  let files: string[] = [];
  let dir = '';
  const flush = () => {
    if (fields.P && fields.V) {
      records.push({
        name: fields.P,
        version: fields.V,
        type: 'apk',
        sourceName: fields.o || fields.P,
        sourceVersion: fields.V,
        ...(fields.A ? { arch: fields.A } : {}),
        ...(fields.L ? { licenses: splitLicense(fields.L) } : {}),
        path,
        ownedFiles: files,
        ...apkRelations(fields),
      });
    }
    fields = {};
    files = [];
    dir = '';
  };
  for (const line of text.split('\n')) {
    if (line.trim() === '') {
      flush();
      continue;
    }
    if (line[1] !== ':') continue;
    const key = line[0] as string;
    const value = line.slice(2);
    if (key === 'F') dir = value;
    else if (key === 'R') files.push(dir ? `${dir}/${value}` : value);
    else if (!(key in fields)) fields[key] = value;
  }
  flush();
  linkDependencies(records);
  return records;
}

/** A dependency or provided name without its version constraint (`so:libc.musl-x86_64.so.1=1`). */
const apkName = (token: string) => token.replace(/[<>=~].*$/, '');

/** `D:` (dependencies; `!name` is a conflict) and `p:` (provided names) of one record. */
function apkRelations(
  fields: Record<string, string>,
): Pick<OsPackageRecord, 'requires' | 'provides'> {
  const requires = (fields.D ?? '')
    .split(/\s+/)
    .filter((t) => t && !t.startsWith('!'))
    .map((t) => [apkName(t)]);
  const provides = (fields.p ?? '').split(/\s+/).filter(Boolean).map(apkName);
  return {
    ...(requires.length ? { requires } : {}),
    ...(provides.length ? { provides } : {}),
  };
}

function splitLicense(license: string): string[] {
  return license
    .split(/\s+(?:AND|OR|and|or)\s+|\s+/)
    .map((l) => l.replace(/[()]/g, ''))
    .filter(Boolean)
    .map(normalizeLicense);
}

/** Alpine (and Wolfi/Chainguard): lib/apk/db/installed, with origin and owned files. */
export const apkAnalyzer: OsPackageAnalyzer = {
  name: 'apk',
  version: '2',
  type: 'apk',
  wellKnownPaths: [INSTALLED],
  captures: (path) => path === INSTALLED,
  async collect(fs: ImageFs) {
    const text = fs.readFile(INSTALLED)?.toString('utf8');
    return text ? parseApkInstalled(text) : [];
  },
  purl(record: OsPackageRecord, os: OsInfo | undefined) {
    return purl({
      type: 'apk',
      namespace: os?.family && os.family !== 'unknown' ? os.family : 'alpine',
      name: record.name,
      version: record.version,
      qualifiers: { arch: record.arch, distro: os?.version },
    });
  },
};
