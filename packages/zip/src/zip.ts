import zlib from 'node:zlib';

/** A minimal ZIP reader over an in-memory archive (jar, war…): central directory, zip64, stored and deflated entries. */
export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

export class ZipError extends Error {}

const EOCD = 0x06054b50;
const EOCD64_LOCATOR = 0x07064b50;
const EOCD64 = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export class ZipArchive {
  readonly entries: ZipEntry[] = [];
  /** Offset of the archive inside the buffer (executable jars may have a launch script first). */
  private readonly base: number;

  constructor(private readonly data: Buffer) {
    const minimum = Math.max(0, data.length - 22 - 0xffff);
    let eocd = -1;
    for (let i = data.length - 22; i >= minimum; i--) {
      if (data.readUInt32LE(i) === EOCD) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) throw new ZipError('not a zip archive (no end of central directory; truncated?)');
    let count = data.readUInt16LE(eocd + 10);
    let cdSize = data.readUInt32LE(eocd + 12);
    let cdOffset = data.readUInt32LE(eocd + 16);
    let cdEnd = eocd;
    if (eocd >= 20 && data.readUInt32LE(eocd - 20) === EOCD64_LOCATOR) {
      const at = Number(data.readBigUInt64LE(eocd - 12));
      if (at + 56 <= data.length && data.readUInt32LE(at) === EOCD64) {
        count = Number(data.readBigUInt64LE(at + 32));
        cdSize = Number(data.readBigUInt64LE(at + 40));
        cdOffset = Number(data.readBigUInt64LE(at + 48));
        cdEnd = at;
      }
    }
    this.base = Math.max(0, cdEnd - cdSize - cdOffset);
    let pos = this.base + cdOffset;
    for (let i = 0; i < count; i++) {
      if (pos + 46 > data.length || data.readUInt32LE(pos) !== CENTRAL) {
        throw new ZipError(`central directory entry ${i} is damaged`);
      }
      const method = data.readUInt16LE(pos + 10);
      let compressedSize = data.readUInt32LE(pos + 20);
      let size = data.readUInt32LE(pos + 24);
      const nameLength = data.readUInt16LE(pos + 28);
      const extraLength = data.readUInt16LE(pos + 30);
      const commentLength = data.readUInt16LE(pos + 32);
      let localOffset = data.readUInt32LE(pos + 42);
      const name = data.toString('utf8', pos + 46, pos + 46 + nameLength);
      // zip64 extended information extra field
      let extra = pos + 46 + nameLength;
      const extraEnd = extra + extraLength;
      while (extra + 4 <= extraEnd) {
        const id = data.readUInt16LE(extra);
        const length = data.readUInt16LE(extra + 2);
        if (id === 0x0001) {
          let field = extra + 4;
          if (size === 0xffffffff) {
            size = Number(data.readBigUInt64LE(field));
            field += 8;
          }
          if (compressedSize === 0xffffffff) {
            compressedSize = Number(data.readBigUInt64LE(field));
            field += 8;
          }
          if (localOffset === 0xffffffff) localOffset = Number(data.readBigUInt64LE(field));
        }
        extra += 4 + length;
      }
      this.entries.push({ name, method, compressedSize, size, localOffset });
      pos += 46 + nameLength + extraLength + commentLength;
    }
  }

  /** The entry's bytes, inflated; at most `limit` bytes (beyond that: ZipError). */
  read(entry: ZipEntry, limit: number): Buffer {
    const at = this.base + entry.localOffset;
    if (at + 30 > this.data.length || this.data.readUInt32LE(at) !== LOCAL) {
      throw new ZipError(`local header of ${entry.name} is damaged`);
    }
    const start = at + 30 + this.data.readUInt16LE(at + 26) + this.data.readUInt16LE(at + 28);
    if (start + entry.compressedSize > this.data.length)
      throw new ZipError(`${entry.name} is truncated`);
    const raw = this.data.subarray(start, start + entry.compressedSize);
    if (entry.method === 0) {
      if (raw.length > limit) throw new ZipError(`${entry.name} exceeds the inflate limit`);
      return raw;
    }
    if (entry.method === 8) {
      try {
        return zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, limit) });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ERR_BUFFER_TOO_LARGE' || (error as RangeError).name === 'RangeError') {
          throw new ZipError(`${entry.name} exceeds the inflate limit (zip bomb guard)`);
        }
        throw new ZipError(`${entry.name}: corrupt deflate data`);
      }
    }
    throw new ZipError(`${entry.name}: unsupported compression method ${entry.method}`);
  }
}
