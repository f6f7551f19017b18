import type { OsInfo } from '@drydock/contract';
import type { ImageFs } from '../../fs/image-fs.ts';
import { purl } from '../../purl.ts';
import type { OsPackageAnalyzer, OsPackageRecord } from './types.ts';

const LOCAL = 'var/lib/pacman/local';
const ENTRY = /^var\/lib\/pacman\/local\/[^/]+\/(desc|files)$/;

/** pacman's `%SECTION%` blocks: a header line, then one value a line until a blank line. */
export function parseAlpmSections(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  let section: string | undefined;
  for (const line of text.split('\n')) {
    const header = /^%([A-Z0-9_]+)%$/.exec(line.trim());
    if (header) {
      section = header[1] as string;
      out[section] = [];
    } else if (line.trim() === '') {
      section = undefined;
    } else if (section) {
      (out[section] as string[]).push(line.trim());
    }
  }
  return out;
}

/** Arch Linux (and derivatives): the local database, one `desc` (+ `files`) per package. */
export const pacmanAnalyzer: OsPackageAnalyzer = {
  name: 'pacman',
  version: '1',
  type: 'alpm',
  wellKnownPaths: [],
  captures: (path) => ENTRY.test(path),
  async collect(fs: ImageFs, warn) {
    const records: OsPackageRecord[] = [];
    for (const [dir, node] of fs.list(LOCAL)) {
      if (node.type !== 'directory') continue;
      const path = `${LOCAL}/${dir}/desc`;
      const desc = fs.readFile(path)?.toString('utf8');
      if (desc === undefined) continue;
      const fields = parseAlpmSections(desc);
      const name = fields.NAME?.[0];
      const version = fields.VERSION?.[0];
      if (!name || !version) {
        warn({ code: 'alpm_bad_entry', message: 'pacman desc without %NAME% or %VERSION%', path });
        continue;
      }
      const files = parseAlpmSections(fs.readFile(`${LOCAL}/${dir}/files`)?.toString('utf8') ?? '');
      // pacman versions are [epoch:]pkgver-pkgrel.
      const epoch = /^(\d+):/.exec(version)?.[1];
      records.push({
        name,
        version: epoch ? version.slice(epoch.length + 1) : version,
        type: 'alpm',
        sourceName: fields.BASE?.[0] ?? name,
        sourceVersion: version,
        ...(epoch ? { epoch: Number(epoch) } : {}),
        ...(fields.ARCH?.[0] ? { arch: fields.ARCH[0] } : {}),
        ...(fields.LICENSE?.length ? { licenses: fields.LICENSE } : {}),
        path,
        ownedFiles: (files.FILES ?? []).filter((f) => !f.endsWith('/')),
      });
    }
    return records;
  },
  purl(record: OsPackageRecord, os: OsInfo | undefined) {
    return purl({
      type: 'alpm',
      namespace: os?.family === 'arch' || !os ? 'arch' : os.family,
      name: record.name,
      version: record.epoch ? `${record.epoch}:${record.version}` : record.version,
      qualifiers: {
        arch: record.arch,
        upstream: record.sourceName !== record.name ? record.sourceName : undefined,
      },
    });
  },
};
