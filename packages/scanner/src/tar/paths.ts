import { ScanError } from '../errors.ts';

/**
 * Normalises a path from a tar entry to the image-relative form used everywhere ("etc/passwd":
 * no leading slash, no "." components, no trailing slash; "" is the root). A ".." that would climb
 * above the root makes the entry unsafe: the scan refuses it instead of guessing.
 */
export function normalizeEntryPath(raw: string, where: string): string {
  const parts: string[] = [];
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) {
        throw new ScanError('unsafe_path', `${where}: entry '${raw}' climbs out of the image root`);
      }
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  return parts.join('/');
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
