import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { bulkPool, type PrismaClient } from './client.ts';

/**
 * Uploaded image tarballs live in Postgres, in chunks, from the moment the API receives them
 * until their scan succeeds: a worker on any machine reads them back, so no folder has to be
 * shared between the API and the workers (ADR 0006).
 */

/** Bytes per stored chunk: large enough for few round trips, small enough to stream. */
export const UPLOAD_CHUNK_BYTES = 4 * 1024 * 1024;

export interface StoredUpload {
  id: string;
  bytes: number;
  sha256: string;
}

export class UploadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UploadError';
  }
}

/**
 * Stores a body in chunks as it arrives (at most one chunk in memory). When `body` throws (the
 * caller's size limit, a client that went away), everything stored so far is removed and the
 * error is thrown again. An empty body stores nothing and throws an UploadError.
 */
export async function storeUpload(
  prisma: PrismaClient,
  name: string,
  body: AsyncIterable<Uint8Array>,
  chunkBytes = UPLOAD_CHUNK_BYTES,
): Promise<StoredUpload> {
  const upload = await prisma.upload.create({ data: { name }, select: { id: true } });
  const hash = createHash('sha256');
  let bytes = 0;
  let seq = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const data = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await bulkPool(prisma).query(
      'INSERT INTO upload_chunk (upload_id, seq, data) VALUES ($1, $2, $3)',
      [upload.id, seq++, data],
    );
  };
  try {
    for await (const part of body) {
      const chunk = Buffer.from(part.buffer, part.byteOffset, part.byteLength);
      hash.update(chunk);
      bytes += chunk.length;
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= chunkBytes) await flush();
    }
    await flush();
    if (bytes === 0) throw new UploadError('the request body is empty: send the image tarball');
    const sha256 = hash.digest('hex');
    await prisma.upload.update({
      where: { id: upload.id },
      data: { bytes: BigInt(bytes), sha256 },
    });
    return { id: upload.id, bytes, sha256 };
  } catch (error) {
    await prisma.upload.delete({ where: { id: upload.id } }).catch(() => undefined);
    throw error;
  }
}

/**
 * Writes a stored upload to `file`, one chunk at a time, and checks that what was read back is
 * what was received (length and sha256). Throws an UploadError when the upload is gone,
 * incomplete or does not match.
 */
export async function writeUploadToFile(
  prisma: PrismaClient,
  uploadId: string,
  file: string,
): Promise<StoredUpload> {
  const upload = await prisma.upload.findUnique({ where: { id: uploadId } });
  if (!upload) throw new UploadError('the uploaded tarball is no longer stored');
  if (upload.bytes === null || upload.sha256 === null) {
    throw new UploadError('the upload never completed (the API stopped while receiving it)');
  }
  const hash = createHash('sha256');
  let bytes = 0;
  async function* chunks() {
    for (let seq = 0; ; seq++) {
      const { rows } = await bulkPool(prisma).query<{ data: Buffer }>(
        'SELECT data FROM upload_chunk WHERE upload_id = $1 AND seq = $2',
        [uploadId, seq],
      );
      const data = rows[0]?.data;
      if (!data) return;
      hash.update(data);
      bytes += data.length;
      yield data;
    }
  }
  try {
    await pipeline(chunks(), createWriteStream(file, { mode: 0o600 }));
    const sha256 = hash.digest('hex');
    if (BigInt(bytes) !== upload.bytes || sha256 !== upload.sha256) {
      throw new UploadError(
        `the stored upload is damaged: read ${bytes} bytes (sha256 ${sha256.slice(0, 12)}…), ` +
          `received ${upload.bytes} (sha256 ${upload.sha256.slice(0, 12)}…)`,
      );
    }
  } catch (error) {
    await rm(file, { force: true });
    throw error;
  }
  return { id: uploadId, bytes, sha256: upload.sha256 };
}

/** How long a failed upload scan keeps its tarball for a retry. */
export const FAILED_UPLOAD_RETENTION_MS = 24 * 60 * 60 * 1000;
/** An upload still incomplete after this long was abandoned (the API stopped mid-body). */
export const INCOMPLETE_UPLOAD_MS = 60 * 60 * 1000;

/**
 * Removes uploads nobody will scan again: incomplete ones older than an hour, complete ones no
 * scan job refers to, and those whose every scan job failed more than a day ago (a retry within
 * the day still finds the tarball). Returns how many were removed.
 */
export async function pruneUploads(prisma: PrismaClient, now = new Date()): Promise<number> {
  const failedBefore = new Date(now.getTime() - FAILED_UPLOAD_RETENTION_MS);
  const abandonedBefore = new Date(now.getTime() - INCOMPLETE_UPLOAD_MS);
  const removed = await prisma.upload.deleteMany({
    where: {
      OR: [
        { bytes: null, createdAt: { lt: abandonedBefore } },
        { bytes: { not: null }, createdAt: { lt: abandonedBefore }, scanJobs: { none: {} } },
        {
          scanJobs: {
            some: {},
            every: { status: 'failed', finishedAt: { lt: failedBefore } },
          },
        },
      ],
    },
  });
  return removed.count;
}
