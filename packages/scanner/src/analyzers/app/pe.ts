/**
 * Portable Executable (PE/COFF) files: the version resource (VS_VERSIONINFO) and whether the
 * file is a .NET assembly (it has a CLR runtime header). Everything is bounds-checked: the bytes
 * come from an image and are hostile.
 */
export interface PeVersionInfo {
  /** A .NET (managed) assembly. */
  managed: boolean;
  /** StringFileInfo entries (ProductVersion, FileVersion, OriginalFilename, ProductName…). */
  strings: Record<string, string>;
  /** VS_FIXEDFILEINFO file version, `major.minor.build.revision`. */
  fileVersion?: string;
}

export const isPe = (data: Buffer) => data.length > 0x40 && data[0] === 0x4d && data[1] === 0x5a;

interface Section {
  va: number;
  size: number;
  raw: number;
  rawSize: number;
}

export function readPeVersionInfo(data: Buffer): PeVersionInfo | undefined {
  if (!isPe(data)) return undefined;
  const pe = data.readUInt32LE(0x3c);
  if (pe + 24 > data.length || data.readUInt32LE(pe) !== 0x00004550) return undefined;
  const sections = data.readUInt16LE(pe + 6);
  const optionalSize = data.readUInt16LE(pe + 20);
  const opt = pe + 24;
  if (opt + optionalSize > data.length || optionalSize < 2) return undefined;
  const magic = data.readUInt16LE(opt);
  const dirs = magic === 0x20b ? opt + 112 : magic === 0x10b ? opt + 96 : -1;
  const countAt = magic === 0x20b ? opt + 108 : opt + 92;
  if (dirs < 0 || countAt + 4 > data.length) return undefined;
  const dirCount = data.readUInt32LE(countAt);
  const directory = (i: number) =>
    i < dirCount && dirs + i * 8 + 8 <= opt + optionalSize
      ? { rva: data.readUInt32LE(dirs + i * 8), size: data.readUInt32LE(dirs + i * 8 + 4) }
      : { rva: 0, size: 0 };
  const table: Section[] = [];
  const tableAt = opt + optionalSize;
  for (let i = 0; i < Math.min(sections, 96); i++) {
    const at = tableAt + i * 40;
    if (at + 40 > data.length) break;
    table.push({
      size: data.readUInt32LE(at + 8),
      va: data.readUInt32LE(at + 12),
      rawSize: data.readUInt32LE(at + 16),
      raw: data.readUInt32LE(at + 20),
    });
  }
  const offsetOf = (rva: number) => {
    for (const s of table) {
      if (rva >= s.va && rva < s.va + Math.max(s.size, s.rawSize)) {
        const off = s.raw + (rva - s.va);
        return off < data.length ? off : undefined;
      }
    }
    return undefined;
  };
  const clr = directory(14);
  const managed = clr.rva !== 0 && clr.size !== 0;
  const res = directory(2);
  const base = res.rva ? offsetOf(res.rva) : undefined;
  const info: PeVersionInfo = { managed, strings: {} };
  if (base === undefined) return info;

  // Resource tree: type → name → language → data entry. RT_VERSION is type 16.
  const entries = (dirAt: number) => {
    const out: { id: number; target: number; isDir: boolean }[] = [];
    if (dirAt + 16 > data.length) return out;
    const count = data.readUInt16LE(dirAt + 12) + data.readUInt16LE(dirAt + 14);
    for (let i = 0; i < Math.min(count, 4096); i++) {
      const at = dirAt + 16 + i * 8;
      if (at + 8 > data.length) break;
      const target = data.readUInt32LE(at + 4);
      out.push({
        id: data.readUInt32LE(at),
        target: base + (target & 0x7fffffff),
        isDir: (target & 0x80000000) !== 0,
      });
    }
    return out;
  };
  const version = entries(base).find((e) => e.id === 16 && e.isDir);
  if (!version) return info;
  let leaf: number | undefined;
  for (const name of entries(version.target)) {
    const langs = name.isDir ? entries(name.target) : [name];
    const first = langs.find((l) => !l.isDir);
    if (first) {
      leaf = first.target;
      break;
    }
  }
  if (leaf === undefined || leaf + 8 > data.length) return info;
  const at = offsetOf(data.readUInt32LE(leaf));
  const size = data.readUInt32LE(leaf + 4);
  if (at === undefined) return info;
  const block = data.subarray(at, Math.min(data.length, at + size));
  parseVersionBlock(block, 0, block.length, info, 0);
  return info;
}

const align = (n: number) => (n + 3) & ~3;

/** One `{wLength, wValueLength, wType, szKey, Value, Children}` block of VS_VERSIONINFO. */
function parseVersionBlock(
  b: Buffer,
  at: number,
  end: number,
  info: PeVersionInfo,
  depth: number,
): number {
  if (at + 6 > end || depth > 4) return end;
  const length = b.readUInt16LE(at);
  const valueLength = b.readUInt16LE(at + 2);
  const type = b.readUInt16LE(at + 4);
  const stop = Math.min(end, at + length);
  if (length < 6) return end;
  let p = at + 6;
  let key = '';
  while (p + 1 < stop) {
    const c = b.readUInt16LE(p);
    p += 2;
    if (c === 0) break;
    key += String.fromCharCode(c);
  }
  p = align(p);
  const valueBytes = type === 1 ? valueLength * 2 : valueLength;
  if (key === 'VS_VERSION_INFO' && valueBytes >= 52 && p + 52 <= stop) {
    if (b.readUInt32LE(p) === 0xfeef04bd) {
      const ms = b.readUInt32LE(p + 8);
      const ls = b.readUInt32LE(p + 12);
      info.fileVersion = `${ms >>> 16}.${ms & 0xffff}.${ls >>> 16}.${ls & 0xffff}`;
    }
  }
  if (depth === 3 && type === 1) {
    let value = '';
    for (let q = p; q + 1 < Math.min(stop, p + valueBytes); q += 2) {
      const c = b.readUInt16LE(q);
      if (c === 0) break;
      value += String.fromCharCode(c);
    }
    if (key && value) info.strings[key] = value.trim();
  }
  p = align(p + valueBytes);
  // Children: StringFileInfo → StringTable → String (depth 1, 2, 3).
  if (key === 'VS_VERSION_INFO' || key === 'StringFileInfo' || depth === 2) {
    while (p + 6 <= stop) {
      const next = parseVersionBlock(b, p, stop, info, depth + 1);
      if (next <= p) break;
      p = align(next);
    }
  }
  return stop;
}
