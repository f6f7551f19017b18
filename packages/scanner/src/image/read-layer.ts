import { createHash } from 'node:crypto';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AppAnalyzer, AppLimits, AppRecord } from '../analyzers/app/types.ts';
import { ScanError } from '../errors.ts';
import { type Compression, decompressor, detectCompression, peek } from '../io/decompress.ts';
import { baseName, normalizeEntryPath, parentOf } from '../tar/paths.ts';
import { type EntryType, TarError, TarParser, tarWritable } from '../tar/tar-parser.ts';

export interface LayerEntry {
  path: string;
  type: EntryType;
  size: number;
  mode: number;
  /** Symlink target as stored, or the normalised path a hardlink points to. */
  linkname?: string;
  /** File bytes, only for files an analyzer asked to keep. */
  content?: Buffer;
}

export interface LayerContents {
  /** Entries in archive order (a path written twice keeps its last entry). */
  entries: Map<string, LayerEntry>;
  /** Paths deleted from lower layers (`.wh.<name>`). */
  whiteouts: string[];
  /** Directories whose lower-layer content is hidden (`.wh..wh..opq`). */
  opaqueDirs: string[];
  digest: string;
  diffId: string;
  size: number;
  compression: Compression;
  /** Application packages found in this layer's files, by file path. */
  apps?: Map<string, AppRecord[]>;
  /** Files an application analyzer could not read, and why. */
  appWarnings?: { path: string; message: string; analyzer: string }[];
}

export interface AppScan {
  /** In precedence order: a file is read by the first analyzer that claims it. */
  analyzers: readonly AppAnalyzer[];
  limits: AppLimits;
  /**
   * Only these analyzers run (a partial re-analysis); a file claimed by one not listed is
   * skipped, as its packages are kept from before. Absent: all run.
   */
  run?: ReadonlySet<string>;
}

/** Decides which files are kept in memory; everything else is only listed. */
export interface CapturePolicy {
  wants(path: string, size: number): boolean;
  maxFileSize: number;
}

export interface FileVisitor {
  /** Called for every regular file, with its bytes as they stream by (e.g. malware scanning). */
  onFile?(
    path: string,
    size: number,
    mode: number,
  ): { data(chunk: Buffer): void; end(): void } | undefined;
  /** Backpressure: when it returns a promise, reading pauses until it settles. */
  wait?(): Promise<void> | undefined;
  /** Called once the layer has been read completely. */
  done?(): Promise<void>;
}

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

/**
 * Reads one layer blob as a stream: detects its compression, verifies the blob digest and the
 * diffID, applies nothing (the filesystem model merges layers), and keeps only the files the
 * capture policy wants. Memory is bounded by what is captured, not by the layer's size.
 */
export async function readLayer(
  stream: Readable,
  layer: { index: number; diffId: string; expectedDigest?: string },
  capture: CapturePolicy,
  visitor: FileVisitor = {},
  appScan?: AppScan,
): Promise<LayerContents> {
  const where = `layer ${layer.index} (${layer.diffId})`;
  const head = await peek(stream, 8);
  const compression = detectCompression(head);
  const blobHash = createHash('sha256');
  const diffHash = createHash('sha256');
  let size = 0;
  const contents: LayerContents = {
    entries: new Map(),
    whiteouts: [],
    opaqueDirs: [],
    digest: '',
    diffId: '',
    size: 0,
    compression,
    apps: new Map(),
    appWarnings: [],
  };
  const appSink = (path: string, size: number, mode: number) => {
    const analyzer = appScan?.analyzers.find((a) => a.matches(path, size, mode));
    if (!analyzer || !appScan || (appScan.run && !appScan.run.has(analyzer.name))) return undefined;
    const cap = analyzer.readBytes;
    if (cap === undefined && size > appScan.limits.maxFileSize) {
      contents.appWarnings?.push({
        path,
        analyzer: analyzer.name,
        message: `${analyzer.name}: skipped, ${size} bytes is over the ${appScan.limits.maxFileSize}-byte limit`,
      });
      return undefined;
    }
    const chunks: Buffer[] = [];
    let kept = 0;
    return {
      data: (chunk: Buffer) => {
        if (cap !== undefined && kept >= cap) return;
        const part = cap === undefined ? chunk : chunk.subarray(0, cap - kept);
        kept += part.length;
        chunks.push(Buffer.from(part));
      },
      end: () => {
        try {
          const records = analyzer.analyze(path, Buffer.concat(chunks), {
            limits: appScan.limits,
            warn: (message) =>
              contents.appWarnings?.push({ path, message, analyzer: analyzer.name }),
          });
          contents.apps?.set(
            path,
            records.map((r) => ({ ...r, foundBy: analyzer.name })),
          );
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          contents.appWarnings?.push({
            path,
            analyzer: analyzer.name,
            message: `${analyzer.name}: ${message.split('\n')[0]}`,
          });
          contents.apps?.delete(path);
        }
      },
    };
  };
  let entryError: ScanError | undefined;

  const parser = new TarParser((entry) => {
    let path: string;
    try {
      path = normalizeEntryPath(entry.name, where);
    } catch (error) {
      entryError ??= error as ScanError;
      return undefined;
    }
    if (path === '') return undefined;
    const name = baseName(path);
    if (name.startsWith(WHITEOUT)) {
      if (name === OPAQUE) contents.opaqueDirs.push(parentOf(path));
      else if (!name.startsWith('.wh..wh.')) {
        const target = parentOf(path);
        contents.whiteouts.push(
          target ? `${target}/${name.slice(WHITEOUT.length)}` : name.slice(WHITEOUT.length),
        );
      }
      return undefined;
    }
    const record: LayerEntry = { path, type: entry.type, size: entry.size, mode: entry.mode };
    if (entry.type === 'symlink') record.linkname = entry.linkname;
    if (entry.type === 'hardlink') {
      try {
        record.linkname = normalizeEntryPath(entry.linkname, where);
      } catch (error) {
        entryError ??= error as ScanError;
        return undefined;
      }
      const target = contents.entries.get(record.linkname);
      if (target?.content) record.content = target.content;
    }
    contents.entries.delete(path);
    contents.entries.set(path, record);
    if (entry.type !== 'file') return undefined;

    contents.apps?.delete(path);
    const visitorSink = visitor.onFile?.(path, entry.size, entry.mode);
    const apps = appSink(path, entry.size, entry.mode);
    const fileSink =
      visitorSink && apps
        ? {
            data: (c: Buffer) => {
              visitorSink.data(c);
              apps.data(c);
            },
            end: () => {
              visitorSink.end();
              apps.end();
            },
          }
        : (visitorSink ?? apps);
    const keep = entry.size <= capture.maxFileSize && capture.wants(path, entry.size);
    if (!keep && !fileSink) return undefined;
    const chunks: Buffer[] = [];
    return {
      data(chunk) {
        if (keep) chunks.push(Buffer.from(chunk));
        fileSink?.data(chunk);
      },
      end() {
        if (keep) record.content = Buffer.concat(chunks);
        fileSink?.end();
      },
    };
  });

  try {
    await pipeline(
      stream,
      new Transform({
        transform(chunk: Buffer, _enc, cb) {
          blobHash.update(chunk);
          size += chunk.length;
          cb(null, chunk);
        },
      }),
      decompressor(compression),
      tarWritable(parser, {
        onChunk: (chunk) => diffHash.update(chunk),
        wait: () => visitor.wait?.(),
        pendingError: () => entryError,
      }),
    );
  } catch (error) {
    if (error instanceof ScanError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const what =
      error instanceof TarError
        ? message
        : compression === 'none'
          ? message
          : `corrupt ${compression} data (${message})`;
    throw new ScanError('corrupt_layer', `${where}: ${what}`);
  }

  await visitor.done?.();
  contents.digest = `sha256:${blobHash.digest('hex')}`;
  contents.diffId = `sha256:${diffHash.digest('hex')}`;
  contents.size = size;
  if (layer.expectedDigest && layer.expectedDigest !== contents.digest) {
    throw new ScanError(
      'digest_mismatch',
      `${where}: blob digest mismatch: manifest says ${layer.expectedDigest}, content is ${contents.digest}`,
    );
  }
  if (contents.diffId !== layer.diffId) {
    throw new ScanError(
      'digest_mismatch',
      `${where}: diffID mismatch: config says ${layer.diffId}, uncompressed content is ${contents.diffId}`,
    );
  }
  return contents;
}
