/** Just enough ELF to map virtual addresses to file offsets and to find sections by name. */
export interface ElfFile {
  bits: 32 | 64;
  littleEndian: boolean;
  segments: { vaddr: number; offset: number; filesz: number }[];
  sections: Map<string, { offset: number; size: number }>;
}

export const isElf = (data: Buffer) =>
  data.length >= 52 && data[0] === 0x7f && data[1] === 0x45 && data[2] === 0x4c && data[3] === 0x46;

export function parseElf(data: Buffer): ElfFile | undefined {
  if (!isElf(data)) return undefined;
  const bits = data[4] === 2 ? 64 : 32;
  const le = data[5] !== 2;
  const u16 = (at: number) => (le ? data.readUInt16LE(at) : data.readUInt16BE(at));
  const u32 = (at: number) => (le ? data.readUInt32LE(at) : data.readUInt32BE(at));
  const addr = (at: number) =>
    bits === 64 ? Number(le ? data.readBigUInt64LE(at) : data.readBigUInt64BE(at)) : u32(at);
  const inside = (at: number, length: number) => at >= 0 && at + length <= data.length;
  const phoff = addr(bits === 64 ? 32 : 28);
  const shoff = addr(bits === 64 ? 40 : 32);
  const phentsize = u16(bits === 64 ? 54 : 42);
  const phnum = u16(bits === 64 ? 56 : 44);
  const shentsize = u16(bits === 64 ? 58 : 46);
  const shnum = u16(bits === 64 ? 60 : 48);
  const shstrndx = u16(bits === 64 ? 62 : 50);
  const segments: ElfFile['segments'] = [];
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (!inside(at, phentsize)) break;
    if (u32(at) !== 1) continue; // PT_LOAD
    segments.push(
      bits === 64
        ? { offset: addr(at + 8), vaddr: addr(at + 16), filesz: addr(at + 32) }
        : { offset: u32(at + 4), vaddr: u32(at + 8), filesz: u32(at + 16) },
    );
  }
  const sections = new Map<string, { offset: number; size: number }>();
  const header = (i: number) => shoff + i * shentsize;
  if (shnum > 0 && shstrndx < shnum && inside(header(shstrndx), shentsize)) {
    const strtab = addr(header(shstrndx) + (bits === 64 ? 24 : 16));
    for (let i = 0; i < shnum; i++) {
      const at = header(i);
      if (!inside(at, shentsize)) break;
      const nameAt = strtab + u32(at);
      const end = data.indexOf(0, nameAt);
      if (nameAt >= data.length || end < 0) continue;
      const name = data.toString('latin1', nameAt, end);
      const offset = addr(at + (bits === 64 ? 24 : 16));
      const size = addr(at + (bits === 64 ? 32 : 20));
      sections.set(name, { offset, size });
    }
  }
  return { bits, littleEndian: le, segments, sections };
}

export function vaddrToOffset(elf: ElfFile, vaddr: number): number | undefined {
  for (const s of elf.segments) {
    if (vaddr >= s.vaddr && vaddr < s.vaddr + s.filesz) return s.offset + (vaddr - s.vaddr);
  }
  return undefined;
}
