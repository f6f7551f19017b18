import { Writable } from 'node:stream';
/**
 * A push-based, streaming tar reader (POSIX ustar, GNU and PAX extensions). It never buffers file
 * data: each entry's bytes go to the sink its consumer returns, or are skipped. Malformed input
 * (bad header checksum, truncated archive) raises TarError with the byte offset.
 */

export type EntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other';

export interface TarEntry {
  /** Path as stored (after PAX / GNU long-name overrides), not normalised. */
  name: string;
  type: EntryType;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  linkname: string;
  /** Offset of the entry's data in the tar stream. */
  dataOffset: number;
}

export interface EntrySink {
  data(chunk: Buffer): void;
  end(): void;
}

export class TarError extends Error {
  constructor(
    message: string,
    public readonly offset: number,
  ) {
    super(message);
    this.name = 'TarError';
  }
}

const BLOCK = 512;
const MAX_META_SIZE = 1024 * 1024;

type State = 'header' | 'data' | 'meta' | 'padding' | 'ended';

export function readString(block: Buffer, start: number, length: number): string {
  let end = start;
  const limit = start + length;
  while (end < limit && block[end] !== 0) end++;
  return block.toString('utf8', start, end);
}

export function readNumber(block: Buffer, start: number, length: number): number {
  const first = block[start] ?? 0;
  if (first & 0x80) {
    // GNU base-256 encoding for large values.
    let value = 0;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + (block[i] ?? 0);
    return value;
  }
  const text = readString(block, start, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) return Number.NaN;
  return Number.parseInt(text, 8);
}

export function checksumOk(block: Buffer): boolean {
  const stored = readNumber(block, 148, 8);
  let unsigned = 0;
  for (let i = 0; i < BLOCK; i++) unsigned += i >= 148 && i < 156 ? 32 : (block[i] ?? 0);
  return stored === unsigned;
}

export function typeOf(flag: string): EntryType {
  switch (flag) {
    case '0':
    case '\0':
    case '':
    case '7':
      return 'file';
    case '5':
      return 'directory';
    case '2':
      return 'symlink';
    case '1':
      return 'hardlink';
    default:
      return 'other';
  }
}

export function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) break;
    const length = Number.parseInt(data.toString('utf8', pos, space), 10);
    if (!Number.isFinite(length) || length <= 0) break;
    const record = data.toString('utf8', space + 1, pos + length - 1);
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    pos += length;
  }
  return out;
}

export class TarParser {
  private state: State = 'header';
  private offset = 0;
  private header = Buffer.alloc(BLOCK);
  private headerFill = 0;
  private remaining = 0;
  private padding = 0;
  private sink: EntrySink | undefined;
  private meta: Buffer[] = [];
  private metaKind = '';
  private pax: Record<string, string> = {};
  private globalPax: Record<string, string> = {};
  private longName: string | undefined;
  private longLink: string | undefined;
  private zeroBlocks = 0;

  constructor(private readonly onEntry: (entry: TarEntry) => EntrySink | undefined) {}

  /** Total bytes consumed so far. */
  get position(): number {
    return this.offset;
  }

  write(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      switch (this.state) {
        case 'ended':
          this.offset += chunk.length - pos;
          return;
        case 'header': {
          const take = Math.min(BLOCK - this.headerFill, chunk.length - pos);
          chunk.copy(this.header, this.headerFill, pos, pos + take);
          this.headerFill += take;
          pos += take;
          this.offset += take;
          if (this.headerFill === BLOCK) {
            this.headerFill = 0;
            this.onHeader();
          }
          break;
        }
        case 'data':
        case 'meta': {
          const take = Math.min(this.remaining, chunk.length - pos);
          const piece = chunk.subarray(pos, pos + take);
          if (this.state === 'data') this.sink?.data(piece);
          else this.meta.push(Buffer.from(piece));
          pos += take;
          this.offset += take;
          this.remaining -= take;
          if (this.remaining === 0) this.finishEntry();
          break;
        }
        case 'padding': {
          const take = Math.min(this.padding, chunk.length - pos);
          pos += take;
          this.offset += take;
          this.padding -= take;
          if (this.padding === 0) this.state = 'header';
          break;
        }
      }
    }
  }

  /** Call at end of input: a stream that stops inside an entry is truncated. */
  end(): void {
    if (this.state === 'ended') return;
    // A missing end-of-archive marker is tolerated; a cut inside a header or entry is not.
    if (this.state === 'header' && this.headerFill === 0) return;
    throw new TarError(
      `tar stream truncated at byte ${this.offset} (inside ${this.state === 'header' ? 'a header' : 'an entry'})`,
      this.offset,
    );
  }

  private onHeader(): void {
    const block = this.header;
    const headerOffset = this.offset - BLOCK;
    if (block.every((b) => b === 0)) {
      this.zeroBlocks++;
      if (this.zeroBlocks >= 2) this.state = 'ended';
      return;
    }
    this.zeroBlocks = 0;
    if (!checksumOk(block)) {
      throw new TarError(`invalid tar header (checksum) at byte ${headerOffset}`, headerOffset);
    }
    const flag = String.fromCharCode(block[156] ?? 0);
    const size = readNumber(block, 124, 12);
    if (!Number.isFinite(size) || size < 0) {
      throw new TarError(`invalid tar header (size) at byte ${headerOffset}`, headerOffset);
    }
    if (flag === 'x' || flag === 'g' || flag === 'L' || flag === 'K') {
      if (size > MAX_META_SIZE) {
        throw new TarError(`tar metadata entry too large at byte ${headerOffset}`, headerOffset);
      }
      this.metaKind = flag;
      this.meta = [];
      this.beginData(size, 'meta');
      return;
    }
    const magic = block.toString('latin1', 257, 263);
    let name = readString(block, 0, 100);
    if (magic.startsWith('ustar')) {
      const prefix = readString(block, 345, 155);
      if (prefix && magic === 'ustar\0') name = `${prefix}/${name}`;
    }
    const pax = { ...this.globalPax, ...this.pax };
    const entry: TarEntry = {
      name: this.longName ?? pax.path ?? name,
      type: typeOf(flag),
      size: pax.size !== undefined ? Number(pax.size) : size,
      mode: readNumber(block, 100, 8) || 0,
      uid: readNumber(block, 108, 8) || 0,
      gid: readNumber(block, 116, 8) || 0,
      linkname: this.longLink ?? pax.linkpath ?? readString(block, 157, 100),
      dataOffset: this.offset,
    };
    this.pax = {};
    this.longName = undefined;
    this.longLink = undefined;
    const dataSize = entry.type === 'file' || entry.type === 'other' ? entry.size : 0;
    this.sink = this.onEntry(entry);
    this.beginData(dataSize, 'data');
  }

  private beginData(size: number, state: 'data' | 'meta'): void {
    this.remaining = size;
    this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
    this.state = state;
    if (size === 0) this.finishEntry();
  }

  private finishEntry(): void {
    if (this.state === 'meta') {
      const data = Buffer.concat(this.meta);
      this.meta = [];
      if (this.metaKind === 'x') this.pax = parsePax(data);
      else if (this.metaKind === 'g') this.globalPax = { ...this.globalPax, ...parsePax(data) };
      else if (this.metaKind === 'L') this.longName = readString(data, 0, data.length);
      else if (this.metaKind === 'K') this.longLink = readString(data, 0, data.length);
    } else {
      this.sink?.end();
      this.sink = undefined;
    }
    this.state = this.padding > 0 ? 'padding' : 'header';
  }
}

/**
 * A Writable that feeds a TarParser. `wait` lets the consumer of the entries apply backpressure;
 * `pendingError` reports an entry-level problem found while parsing the chunk.
 */
export function tarWritable(
  parser: TarParser,
  options: {
    wait?: () => Promise<unknown> | undefined;
    pendingError?: () => Error | undefined;
    onChunk?: (chunk: Buffer) => void;
  } = {},
): Writable {
  return new Writable({
    highWaterMark: 1024 * 1024,
    write(chunk: Buffer, _enc, cb) {
      options.onChunk?.(chunk);
      try {
        parser.write(chunk);
      } catch (error) {
        cb(error as Error);
        return;
      }
      const pending = options.wait?.();
      if (pending) pending.then(() => cb(options.pendingError?.() ?? null), cb);
      else cb(options.pendingError?.() ?? null);
    },
    final(cb) {
      try {
        parser.end();
        cb();
      } catch (error) {
        cb(error as Error);
      }
    },
  });
}
