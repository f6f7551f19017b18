import zlib from 'node:zlib';
import { purl } from '../../purl.ts';
import { binaryVersionPackages, isVersionedBinary } from './binary-versions.ts';
import { type ElfFile, isElf, parseElf, vaddrToOffset } from './elf.ts';
import type { AppAnalyzer, AppRecord } from './types.ts';

const GO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');

function readUvarint(data: Buffer, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (let i = at; i < data.length && i < at + 10; i++) {
    const byte = data[i] as number;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, i + 1];
    shift += 7;
  }
  throw new Error('bad varint in Go build info');
}

export interface GoBuildInfo {
  goVersion: string;
  modinfo: string;
}

/** Reads the build info Go ≥ 1.13 embeds in binaries (inline strings since 1.18, pointers before). */
export function readGoBuildInfo(data: Buffer, elf: ElfFile | undefined): GoBuildInfo | undefined {
  let at = data.indexOf(GO_MAGIC);
  while (at >= 0 && at % 16 !== 0) at = data.indexOf(GO_MAGIC, at + 1);
  if (at < 0 || at + 32 > data.length) return undefined;
  const ptrSize = data[at + 14] as number;
  const flags = data[at + 15] as number;
  let goVersion: string;
  let modinfo: string;
  if (flags & 2) {
    let [length, next] = readUvarint(data, at + 32);
    goVersion = data.toString('utf8', next, next + length);
    [length, next] = readUvarint(data, next + length);
    modinfo = data.toString('utf8', next, next + length);
  } else {
    if (!elf || (ptrSize !== 4 && ptrSize !== 8)) return undefined;
    const bigEndian = (flags & 1) === 1;
    const ptr = (offset: number) =>
      ptrSize === 8
        ? Number(bigEndian ? data.readBigUInt64BE(offset) : data.readBigUInt64LE(offset))
        : bigEndian
          ? data.readUInt32BE(offset)
          : data.readUInt32LE(offset);
    const goString = (vaddr: number) => {
      const header = vaddrToOffset(elf, vaddr);
      if (header === undefined || header + ptrSize * 2 > data.length) return '';
      const dataAt = vaddrToOffset(elf, ptr(header));
      const length = ptr(header + ptrSize);
      if (dataAt === undefined || dataAt + length > data.length) return '';
      return data.toString('utf8', dataAt, dataAt + length);
    };
    goVersion = goString(ptr(at + 16));
    modinfo = goString(ptr(at + 16 + ptrSize));
  }
  if (modinfo.length >= 33 && modinfo[modinfo.length - 17] === '\n')
    modinfo = modinfo.slice(16, -16);
  return goVersion ? { goVersion, modinfo } : undefined;
}

function goPurl(path: string, version: string): string {
  const slash = path.lastIndexOf('/');
  return purl({
    type: 'golang',
    ...(slash > 0 ? { namespace: path.slice(0, slash).toLowerCase() } : {}),
    name: path.slice(slash + 1).toLowerCase(),
    version,
  });
}

const goRecord = (name: string, version: string, path: string): AppRecord => ({
  name,
  version,
  type: 'golang',
  purl: goPurl(name, version),
  path,
});

/** stdlib (the toolchain), the main module and every dependency, replacements applied. */
export function goPackages(info: GoBuildInfo, path: string): AppRecord[] {
  const out: AppRecord[] = [
    goRecord('stdlib', info.goVersion.replace(/^go/, '').split(/\s/)[0] as string, path),
  ];
  const modules: { name: string; version: string }[] = [];
  for (const line of info.modinfo.split('\n')) {
    const [kind, modPath, version] = line.split('\t');
    if ((kind === 'mod' || kind === 'dep') && modPath && version) {
      modules.push({ name: modPath, version });
    } else if (kind === '=>' && modPath && modules.length > 0) {
      // The replacement is the code actually built; a local path replacement has no version.
      const replaced = modules[modules.length - 1] as { name: string; version: string };
      replaced.name = modPath;
      replaced.version = version || '(devel)';
    }
  }
  for (const m of modules) out.push(goRecord(m.name, m.version, path));
  return out;
}

/** cargo-auditable: zlib-compressed JSON dependency list in the `.dep-v0` section. */
function rustAuditable(data: Buffer, elf: ElfFile, path: string): AppRecord[] {
  const section = elf.sections.get('.dep-v0');
  if (!section) return [];
  const json = JSON.parse(
    zlib
      .inflateSync(data.subarray(section.offset, section.offset + section.size), {
        maxOutputLength: 64 * 1024 * 1024,
      })
      .toString('utf8'),
  ) as {
    packages?: { name: string; version: string; source?: string; kind?: string; root?: boolean }[];
  };
  return (json.packages ?? [])
    .filter((p) => p.kind !== 'build' && p.source !== 'local' && !p.root)
    .map((p) => ({
      name: p.name,
      version: p.version,
      type: 'cargo' as const,
      purl: purl({ type: 'cargo', name: p.name, version: p.version }),
      path,
    }));
}

/**
 * Compiled binaries: Go build info (any executable format for Go ≥ 1.18; ELF for older layouts),
 * Rust binaries built with cargo-auditable, and well-known software (OpenSSL, BusyBox, Node.js,
 * Python, curl, nginx…) by the version strings its binaries and libraries embed.
 */
export const binaryAnalyzer: AppAnalyzer = {
  name: 'binary',
  version: '2',
  matches: (path, size, mode) => size >= 64 && ((mode & 0o111) !== 0 || isVersionedBinary(path)),
  analyze(path, data) {
    const elf = isElf(data) ? parseElf(data) : undefined;
    const out: AppRecord[] = [];
    const go = readGoBuildInfo(data, elf);
    if (go) out.push(...goPackages(go, path));
    if (elf) out.push(...rustAuditable(data, elf, path));
    if (!go && out.length === 0 && isVersionedBinary(path)) {
      out.push(...binaryVersionPackages(path, data));
    }
    return out;
  },
};
