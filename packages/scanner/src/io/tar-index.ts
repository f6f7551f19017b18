import type { FileHandle } from 'node:fs/promises';
import {
  checksumOk,
  type EntryType,
  parsePax,
  readNumber,
  readString,
  TarError,
  typeOf,
} from '../tar/tar-parser.ts';

export interface IndexedEntry {
  name: string;
  type: EntryType;
  linkname: string;
  /** Offset of the data in the file. */
  offset: number;
  size: number;
}

/**
 * Lists the entries of an uncompressed tar file by reading only its headers (positional reads,
 * skipping the data), so indexing a multi-gigabyte archive costs a few reads per entry.
 */
export async function indexTarFile(file: FileHandle, fileSize: number): Promise<IndexedEntry[]> {
  const entries: IndexedEntry[] = [];
  const block = Buffer.alloc(512);
  let pos = 0;
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;
  while (pos + 512 <= fileSize) {
    const { bytesRead } = await file.read(block, 0, 512, pos);
    if (bytesRead < 512) break;
    if (block.every((b) => b === 0)) break;
    if (!checksumOk(block)) throw new TarError(`invalid tar header (checksum) at byte ${pos}`, pos);
    const flag = String.fromCharCode(block[156] ?? 0);
    const size = readNumber(block, 124, 12);
    if (!Number.isFinite(size) || size < 0) {
      throw new TarError(`invalid tar header (size) at byte ${pos}`, pos);
    }
    const dataStart = pos + 512;
    if (dataStart + size > fileSize) {
      throw new TarError(`tar archive truncated: entry at byte ${pos} runs past the end`, pos);
    }
    const next = dataStart + Math.ceil(size / 512) * 512;
    if (flag === 'x' || flag === 'L' || flag === 'K') {
      if (size > 1024 * 1024)
        throw new TarError(`tar metadata entry too large at byte ${pos}`, pos);
      const data = Buffer.alloc(size);
      await file.read(data, 0, size, dataStart);
      if (flag === 'x') pax = parsePax(data);
      else if (flag === 'L') longName = readString(data, 0, size);
      else longLink = readString(data, 0, size);
      pos = next;
      continue;
    }
    if (flag === 'g') {
      pos = next;
      continue;
    }
    let name = readString(block, 0, 100);
    const magic = block.toString('latin1', 257, 263);
    const prefix = magic === 'ustar\0' ? readString(block, 345, 155) : '';
    if (prefix) name = `${prefix}/${name}`;
    const type = typeOf(flag);
    entries.push({
      name: longName ?? pax.path ?? name,
      type,
      linkname: longLink ?? pax.linkpath ?? readString(block, 157, 100),
      offset: dataStart,
      size: pax.size !== undefined ? Number(pax.size) : size,
    });
    pax = {};
    longName = undefined;
    longLink = undefined;
    pos = next;
  }
  return entries;
}
