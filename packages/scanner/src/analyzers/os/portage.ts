import type { ImageFs } from '../../fs/image-fs.ts';
import { purl } from '../../purl.ts';
import type { OsPackageAnalyzer, OsPackageRecord } from './types.ts';

const DB = 'var/db/pkg';
const ENTRY = /^var\/db\/pkg\/[^/]+\/[^/]+\/(CONTENTS|LICENSE)$/;

/** `skopeo-1.5.1`, `openssl-3.0.13-r1`, `python-3.12.3_p1` → name and version (PMS 3.2). */
export function splitPortageName(dir: string): { name: string; version: string } | undefined {
  const match = /^(.+?)-(\d+(?:\.\d+)*[a-z]?(?:_(?:alpha|beta|pre|rc|p)\d*)*(?:-r\d+)?)$/.exec(dir);
  return match ? { name: match[1] as string, version: match[2] as string } : undefined;
}

/** `obj /usr/bin/x <md5> <mtime>`, `sym /a -> b <mtime>`; directories are not owned. */
function ownedFromContents(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('obj ')) {
      const rest = line.slice(4).split(' ');
      // The path may hold spaces: drop md5 and mtime from the end.
      out.push(
        rest
          .slice(0, Math.max(1, rest.length - 2))
          .join(' ')
          .replace(/^\/+/, ''),
      );
    } else if (line.startsWith('sym ')) {
      out.push(line.slice(4).split(' -> ')[0]?.replace(/^\/+/, '') ?? '');
    }
  }
  return out.filter(Boolean);
}

/** Gentoo: Portage's installed database, `var/db/pkg/<category>/<name>-<version>/`. */
export const portageAnalyzer: OsPackageAnalyzer = {
  name: 'portage',
  version: '1',
  type: 'ebuild',
  wellKnownPaths: [],
  captures: (path) => ENTRY.test(path),
  async collect(fs: ImageFs, warn) {
    const records: OsPackageRecord[] = [];
    for (const [category, catNode] of fs.list(DB)) {
      if (catNode.type !== 'directory') continue;
      for (const [dir, node] of fs.list(`${DB}/${category}`)) {
        if (node.type !== 'directory') continue;
        const path = `${DB}/${category}/${dir}/CONTENTS`;
        const contents = fs.readFile(path)?.toString('utf8');
        if (contents === undefined) continue;
        const parsed = splitPortageName(dir);
        if (!parsed) {
          warn({
            code: 'ebuild_bad_entry',
            message: `cannot split ${dir} into name and version`,
            path,
          });
          continue;
        }
        const license = fs.readFile(`${DB}/${category}/${dir}/LICENSE`)?.toString('utf8').trim();
        records.push({
          name: `${category}/${parsed.name}`,
          version: parsed.version,
          type: 'ebuild',
          ...(license ? { licenses: [license] } : {}),
          path,
          ownedFiles: ownedFromContents(contents),
        });
      }
    }
    return records;
  },
  purl(record: OsPackageRecord) {
    const slash = record.name.indexOf('/');
    return purl({
      type: 'ebuild',
      namespace: record.name.slice(0, slash),
      name: record.name.slice(slash + 1),
      version: record.version,
    });
  },
};
