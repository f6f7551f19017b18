import { PassThrough, type Readable, Transform } from 'node:stream';
import zlib from 'node:zlib';
import { Decompress } from 'fzstd';

export type Compression = 'gzip' | 'zstd' | 'none';

/** Media types lie; the first bytes do not. */
export function detectCompression(head: Buffer): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (
    head.length >= 4 &&
    head[0] === 0x28 &&
    head[1] === 0xb5 &&
    head[2] === 0x2f &&
    head[3] === 0xfd
  ) {
    return 'zstd';
  }
  return 'none';
}

class ZstdDecompress extends Transform {
  private readonly decoder: Decompress;
  private pending: Buffer[] = [];
  constructor() {
    super();
    this.decoder = new Decompress((chunk) => {
      this.pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    });
  }
  private flushPending(): void {
    for (const chunk of this.pending) this.push(chunk);
    this.pending = [];
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (error?: Error) => void): void {
    try {
      this.decoder.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      this.flushPending();
      cb();
    } catch (error) {
      cb(error instanceof Error ? error : new Error(String(error)));
    }
  }
  override _flush(cb: (error?: Error) => void): void {
    try {
      this.decoder.push(new Uint8Array(0), true);
      this.flushPending();
      cb();
    } catch (error) {
      cb(new Error(`zstd stream truncated or corrupt: ${String(error)}`));
    }
  }
}

export function decompressor(kind: Compression): Transform {
  switch (kind) {
    case 'gzip':
      // Layers may be multi-member gzip files; zlib handles that by default.
      return zlib.createGunzip({ chunkSize: 256 * 1024 });
    case 'zstd':
      return new ZstdDecompress();
    case 'none':
      return new PassThrough();
  }
}

/** Reads the first bytes of a stream without consuming them, to detect its compression. */
export async function peek(stream: Readable, bytes = 8): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  while (total < bytes) {
    const chunk = stream.read() as Buffer | null;
    if (chunk === null) {
      if (stream.readableEnded || stream.destroyed) break;
      const more = await new Promise<boolean>((resolve, reject) => {
        const onReadable = () => cleanup(true);
        const onEnd = () => cleanup(false);
        const onError = (error: Error) => {
          stream.off('readable', onReadable);
          stream.off('end', onEnd);
          reject(error);
        };
        const cleanup = (value: boolean) => {
          stream.off('readable', onReadable);
          stream.off('end', onEnd);
          stream.off('error', onError);
          resolve(value);
        };
        stream.once('readable', onReadable);
        stream.once('end', onEnd);
        stream.once('error', onError);
      });
      if (!more) break;
      continue;
    }
    chunks.push(chunk);
    total += chunk.length;
  }
  const head = Buffer.concat(chunks);
  if (head.length > 0) stream.unshift(head);
  return head.subarray(0, bytes);
}
