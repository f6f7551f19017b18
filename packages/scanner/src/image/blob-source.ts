import { createReadStream, existsSync } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ScanError } from '../errors.ts';
import { type Compression, decompressor } from '../io/decompress.ts';
import { type IndexedEntry, indexTarFile } from '../io/tar-index.ts';
import { normalizeEntryPath, parentOf } from '../tar/paths.ts';
import { TarError, TarParser, tarWritable } from '../tar/tar-parser.ts';

/** Biggest manifest, index or config we read into memory. */
const MAX_METADATA_BYTES = 8 * 1024 * 1024;

export type BlobVisitor = (name: string, stream: Readable, size: number) => Promise<void>;

/**
 * Where an image's files live: an OCI layout folder, an uncompressed tar file (random access), or
 * a compressed tar (one sequential pass per request). Names are archive-relative paths.
 */
export interface BlobSource {
  readonly description: string;
  has(name: string): boolean;
  /** Reads a small file (manifest, index, config) into memory. */
  readSmall(name: string): Promise<Buffer>;
  /** Streams each named blob once, in the order cheapest for the source. */
  forEach(names: string[], visit: BlobVisitor): Promise<void>;
  close(): Promise<void>;
}

function missing(source: string, name: string): ScanError {
  return new ScanError('missing_blob', `${source}: '${name}' is referenced but not present`);
}

export class DirectorySource implements BlobSource {
  constructor(private readonly root: string) {}
  get description() {
    return this.root;
  }
  private resolve(name: string): string {
    const normalized = normalizeEntryPath(name, this.root);
    return path.join(this.root, normalized);
  }
  has(name: string): boolean {
    try {
      return existsSync(this.resolve(name));
    } catch {
      return false;
    }
  }
  async readSmall(name: string): Promise<Buffer> {
    const file = this.resolve(name);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) throw missing(this.root, name);
    if (info.size > MAX_METADATA_BYTES) {
      throw new ScanError('limit_exceeded', `${this.root}: '${name}' is too large for metadata`);
    }
    return readFile(file);
  }
  async forEach(names: string[], visit: BlobVisitor): Promise<void> {
    for (const name of names) {
      const file = this.resolve(name);
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) throw missing(this.root, name);
      await visit(name, createReadStream(file, { highWaterMark: 256 * 1024 }), info.size);
    }
  }
  async close(): Promise<void> {}
}

/** Follows symlink and hardlink entries inside an archive (docker save's `<id>/layer.tar`). */
function resolveLinks(
  entries: Map<string, { type: string; linkname: string }>,
  name: string,
  where: string,
): string {
  let current = name;
  for (let hops = 0; hops < 16; hops++) {
    const entry = entries.get(current);
    if (!entry || (entry.type !== 'symlink' && entry.type !== 'hardlink')) return current;
    const target =
      entry.type === 'symlink' && !entry.linkname.startsWith('/')
        ? `${parentOf(current)}/${entry.linkname}`
        : entry.linkname;
    current = normalizeEntryPath(target, where);
  }
  throw new ScanError('invalid_manifest', `${where}: link loop at '${name}'`);
}

export class TarFileSource implements BlobSource {
  private constructor(
    private readonly file: string,
    private readonly entries: Map<string, IndexedEntry>,
  ) {}

  static async open(file: string, size: number): Promise<TarFileSource> {
    const handle = await open(file, 'r');
    try {
      const list = await indexTarFile(handle, size);
      const entries = new Map<string, IndexedEntry>();
      for (const entry of list) entries.set(normalizeEntryPath(entry.name, file), entry);
      return new TarFileSource(file, entries);
    } catch (error) {
      if (error instanceof TarError) {
        throw new ScanError('unrecognized_input', `${file}: ${error.message}`);
      }
      throw error;
    } finally {
      await handle.close();
    }
  }

  get description() {
    return this.file;
  }
  private entry(name: string): IndexedEntry {
    const resolved = resolveLinks(this.entries, normalizeEntryPath(name, this.file), this.file);
    const entry = this.entries.get(resolved);
    if (entry?.type !== 'file') throw missing(this.file, name);
    return entry;
  }
  has(name: string): boolean {
    try {
      this.entry(name);
      return true;
    } catch {
      return false;
    }
  }
  async readSmall(name: string): Promise<Buffer> {
    const entry = this.entry(name);
    if (entry.size > MAX_METADATA_BYTES) {
      throw new ScanError('limit_exceeded', `${this.file}: '${name}' is too large for metadata`);
    }
    const handle = await open(this.file, 'r');
    try {
      const buffer = Buffer.alloc(entry.size);
      await handle.read(buffer, 0, entry.size, entry.offset);
      return buffer;
    } finally {
      await handle.close();
    }
  }
  async forEach(names: string[], visit: BlobVisitor): Promise<void> {
    for (const name of names) {
      const entry = this.entry(name);
      const stream =
        entry.size === 0
          ? Readable.from([])
          : createReadStream(this.file, {
              start: entry.offset,
              end: entry.offset + entry.size - 1,
              highWaterMark: 256 * 1024,
            });
      await visit(name, stream, entry.size);
    }
  }
  async close(): Promise<void> {}
}

interface StreamedEntry {
  type: string;
  linkname: string;
  size: number;
  content?: Buffer;
}

/**
 * A whole archive compressed as one stream (`docker save | gzip`). It cannot be read at random,
 * so the first pass lists entries and keeps small ones (manifests, configs), and forEach makes one
 * more pass that hands every requested blob to its visitor as it goes by.
 */
export class CompressedTarSource implements BlobSource {
  private constructor(
    private readonly file: string,
    private readonly compression: Compression,
    private readonly entries: Map<string, StreamedEntry>,
  ) {}

  static async open(file: string, compression: Compression): Promise<CompressedTarSource> {
    const entries = new Map<string, StreamedEntry>();
    await CompressedTarSource.pass(file, compression, (name, entry) => {
      const record: StreamedEntry = {
        type: entry.type,
        linkname: entry.linkname,
        size: entry.size,
      };
      entries.set(name, record);
      if (entry.type !== 'file' || entry.size > 1024 * 1024) return undefined;
      const chunks: Buffer[] = [];
      return {
        data: (chunk) => chunks.push(Buffer.from(chunk)),
        end: () => {
          record.content = Buffer.concat(chunks);
        },
      };
    });
    return new CompressedTarSource(file, compression, entries);
  }

  private static async pass(
    file: string,
    compression: Compression,
    onEntry: (
      name: string,
      entry: { type: string; linkname: string; size: number },
    ) => { data(chunk: Buffer): void; end(): void; stream?: PassThrough } | undefined,
  ): Promise<void> {
    let current: PassThrough | undefined;
    const parser = new TarParser((entry) => {
      const sink = onEntry(normalizeEntryPath(entry.name, file), entry);
      current = sink?.stream;
      return sink;
    });
    try {
      await pipeline(
        createReadStream(file, { highWaterMark: 256 * 1024 }),
        decompressor(compression),
        // Respect the visitor's pace: wait while the blob it reads is backed up.
        tarWritable(parser, {
          wait: () =>
            current?.writableNeedDrain
              ? new Promise((resolve) => current?.once('drain', resolve))
              : undefined,
        }),
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new ScanError(
        'unrecognized_input',
        `${file}: corrupt ${compression} archive: ${message}`,
      );
    }
  }

  get description() {
    return this.file;
  }
  private resolve(name: string): string {
    return resolveLinks(this.entries, normalizeEntryPath(name, this.file), this.file);
  }
  has(name: string): boolean {
    return this.entries.get(this.resolve(name))?.type === 'file';
  }
  async readSmall(name: string): Promise<Buffer> {
    const entry = this.entries.get(this.resolve(name));
    if (entry?.type !== 'file') throw missing(this.file, name);
    if (!entry.content) {
      throw new ScanError('limit_exceeded', `${this.file}: '${name}' is too large for metadata`);
    }
    return entry.content;
  }
  async forEach(names: string[], visit: BlobVisitor): Promise<void> {
    const wanted = new Map<string, string[]>();
    for (const name of names) {
      const resolved = this.resolve(name);
      if (!this.has(resolved)) throw missing(this.file, name);
      wanted.set(resolved, [...(wanted.get(resolved) ?? []), name]);
    }
    const visits: Promise<void>[] = [];
    await CompressedTarSource.pass(this.file, this.compression, (name, entry) => {
      const requested = wanted.get(name);
      if (!requested || entry.type !== 'file') return undefined;
      const streams = requested.map(() => new PassThrough({ highWaterMark: 1024 * 1024 }));
      requested.forEach((asked, i) => {
        const stream = streams[i] as PassThrough;
        visits.push(visit(asked, stream, entry.size));
      });
      const first = streams[0] as PassThrough;
      return {
        stream: first,
        data: (chunk) => {
          for (const s of streams) s.write(chunk);
        },
        end: () => {
          for (const s of streams) s.end();
        },
      };
    });
    await Promise.all(visits);
  }
  async close(): Promise<void> {}
}
