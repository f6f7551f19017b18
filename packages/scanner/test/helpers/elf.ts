/** A minimal little-endian ELF64 file with the given sections (for binary analyzer tests). */
export function elfWithSections(sections: { name: string; data: Buffer }[]): Buffer {
  const names = Buffer.from(`\0${sections.map((s) => s.name).join('\0')}\0.shstrtab\0`);
  const header = Buffer.alloc(64);
  header.write('\x7fELF', 0, 'latin1');
  header[4] = 2; // 64-bit
  header[5] = 1; // little endian
  header[6] = 1;
  header.writeUInt16LE(2, 16); // ET_EXEC
  header.writeUInt16LE(62, 18); // x86-64
  header.writeUInt32LE(1, 20);
  let offset = 64;
  const bodies: Buffer[] = [];
  const placed: { name: number; offset: number; size: number }[] = [];
  let nameAt = 1;
  for (const s of sections) {
    placed.push({ name: nameAt, offset, size: s.data.length });
    nameAt += s.name.length + 1;
    bodies.push(s.data);
    offset += s.data.length;
  }
  placed.push({ name: nameAt, offset, size: names.length });
  bodies.push(names);
  offset += names.length;
  const shoff = offset;
  header.writeBigUInt64LE(BigInt(shoff), 40);
  header.writeUInt16LE(64, 52);
  header.writeUInt16LE(56, 54);
  header.writeUInt16LE(64, 58);
  header.writeUInt16LE(placed.length + 1, 60);
  header.writeUInt16LE(placed.length, 62);
  const table = Buffer.alloc(64 * (placed.length + 1));
  placed.forEach((p, i) => {
    const at = 64 * (i + 1);
    table.writeUInt32LE(p.name, at);
    table.writeUInt32LE(1, at + 4);
    table.writeBigUInt64LE(BigInt(p.offset), at + 24);
    table.writeBigUInt64LE(BigInt(p.size), at + 32);
  });
  return Buffer.concat([header, ...bodies, table]);
}
