import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPrismaClient,
  type PrismaClient,
  pruneUploads,
  storeUpload,
  UploadError,
  writeUploadToFile,
} from '../src/index.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing.ts';

/** Yields `data` in uneven pieces, as a socket would. */
async function* pieces(data: Buffer, size = 100_003) {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

describe('uploads stored in Postgres', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let dir: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = createPrismaClient(db.url);
    dir = await mkdtemp(path.join(tmpdir(), 'drydock-upload-test-'));
  });
  afterAll(async () => {
    await prisma.$disconnect();
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores a body in chunks and writes back the same bytes', async () => {
    const body = randomBytes(2_500_000);
    const stored = await storeUpload(prisma, 'app.tar', pieces(body), 1024 * 1024);
    expect(stored).toEqual({
      id: expect.any(String),
      bytes: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
    });
    const chunks = await prisma.uploadChunk.findMany({
      where: { uploadId: stored.id },
      select: { seq: true },
      orderBy: { seq: 'asc' },
    });
    // 2.5 MB in 1 MiB chunks, each flushed once it reaches the size: three rows, in order.
    expect(chunks.map((c) => c.seq)).toEqual([0, 1, 2]);

    const file = path.join(dir, 'back.tar');
    await writeUploadToFile(prisma, stored.id, file);
    expect((await readFile(file)).equals(body)).toBe(true);
  });

  it('removes what it stored when the body fails, and refuses an empty body', async () => {
    async function* tooLong() {
      yield randomBytes(1_500_000);
      throw new Error('limit exceeded');
    }
    await expect(storeUpload(prisma, 'big.tar', tooLong(), 1024 * 1024)).rejects.toThrow(
      'limit exceeded',
    );
    await expect(storeUpload(prisma, 'empty.tar', pieces(Buffer.alloc(0)))).rejects.toThrow(
      UploadError,
    );
    expect(await prisma.upload.count({ where: { name: { in: ['big.tar', 'empty.tar'] } } })).toBe(
      0,
    );
    expect(
      await prisma.uploadChunk.count({ where: { upload: { name: { in: ['big.tar'] } } } }),
    ).toBe(0);
  });

  it('refuses to hand out an upload that is damaged, incomplete or gone', async () => {
    const body = randomBytes(300_000);
    const stored = await storeUpload(prisma, 'damaged.tar', pieces(body, 100_000), 100_000);
    await prisma.uploadChunk.update({
      where: { uploadId_seq: { uploadId: stored.id, seq: 1 } },
      data: { data: randomBytes(100_000) },
    });
    const file = path.join(dir, 'damaged.tar');
    await expect(writeUploadToFile(prisma, stored.id, file)).rejects.toThrow(
      /stored upload is damaged: read 300000 bytes/,
    );
    await expect(stat(file)).rejects.toThrow(/ENOENT/);

    const incomplete = await prisma.upload.create({ data: { name: 'half.tar' } });
    await expect(writeUploadToFile(prisma, incomplete.id, file)).rejects.toThrow(/never completed/);
    await expect(
      writeUploadToFile(prisma, '00000000-0000-4000-8000-000000000000', file),
    ).rejects.toThrow(/no longer stored/);
  });

  it('prunes abandoned uploads, unreferenced ones and those whose scans failed a day ago', async () => {
    await prisma.upload.deleteMany({});
    const now = new Date('2026-11-29T12:00:00Z');
    const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000);
    const upload = (name: string, createdAt: Date, complete = true) =>
      prisma.upload.create({
        data: { name, createdAt, ...(complete ? { bytes: 1n, sha256: 'x' } : {}) },
      });
    const job = (uploadId: string, status: 'queued' | 'failed', finishedAt: Date | null = null) =>
      prisma.scanJob.create({
        data: { kind: 'upload', target: 'x', uploadId, status, finishedAt },
      });

    await upload('receiving', hoursAgo(0.5), false);
    await upload('abandoned', hoursAgo(2), false);
    await upload('orphan', hoursAgo(2));
    await job((await upload('queued', hoursAgo(30))).id, 'queued');
    await job((await upload('failed-recently', hoursAgo(30))).id, 'failed', hoursAgo(3));
    await job((await upload('failed-long-ago', hoursAgo(30))).id, 'failed', hoursAgo(25));
    const mixed = await upload('failed-then-requeued', hoursAgo(30));
    await job(mixed.id, 'failed', hoursAgo(25));
    await job(mixed.id, 'queued');

    expect(await pruneUploads(prisma, now)).toBe(3);
    const left = await prisma.upload.findMany({ select: { name: true }, orderBy: { name: 'asc' } });
    expect(left.map((u) => u.name)).toEqual([
      'failed-recently',
      'failed-then-requeued',
      'queued',
      'receiving',
    ]);
  });
});
