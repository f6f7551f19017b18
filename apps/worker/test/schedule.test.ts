import { createCipheriv, hkdfSync, randomBytes, randomUUID } from 'node:crypto';
import {
  createPrismaClient,
  openRegistrySecret,
  openSecret,
  type PrismaClient,
  resealLegacySecrets,
  SecretError,
  sealSecret,
} from '@drydock/db';
import { createTestDatabase, type TestDatabase } from '@drydock/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScheduleTickHandler } from '../src/jobs/schedule-tick.ts';
import { TEST_SECRET_KEY } from './helpers.ts';

describe('scheduled scans', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  beforeAll(async () => {
    db = await createTestDatabase();
    prisma = createPrismaClient(db.url);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  it('starts a sync-then-scan for due instances only, once per interval, even with concurrent ticks', async () => {
    const now = new Date('2026-11-29T10:00:00Z');
    const due = await prisma.registryInstance.create({
      data: {
        name: 'due',
        url: 'http://a',
        scanIntervalMinutes: 60,
        nextScheduledAt: new Date('2026-11-29T09:59:00Z'),
      },
    });
    const fresh = await prisma.registryInstance.create({
      data: { name: 'new', url: 'http://b', scanIntervalMinutes: 30 },
    });
    await prisma.registryInstance.create({
      data: {
        name: 'later',
        url: 'http://c',
        scanIntervalMinutes: 60,
        nextScheduledAt: new Date('2026-11-29T10:30:00Z'),
      },
    });
    await prisma.registryInstance.create({ data: { name: 'manual', url: 'http://d' } });
    const sent: { name: string; payload: unknown }[] = [];
    const queue = {
      send: async (name: string, payload: unknown) => {
        sent.push({ name, payload });
        return 'id';
      },
    } as never;
    const tick = createScheduleTickHandler({ prisma, queue, now: () => now });
    const [a, b] = await Promise.all([tick(), tick()]);
    expect([...a.started, ...b.started].sort()).toEqual([due.id, fresh.id].sort());
    expect(sent.map((s) => s.payload)).toEqual(
      expect.arrayContaining([
        { instanceId: due.id, thenScan: true },
        { instanceId: fresh.id, thenScan: true },
      ]),
    );
    expect(sent).toHaveLength(2);
    expect(sent.every((s) => s.name === 'registry.sync')).toBe(true);
    const next = await prisma.registryInstance.findUniqueOrThrow({ where: { id: due.id } });
    expect(next.nextScheduledAt?.toISOString()).toBe('2026-11-29T11:00:00.000Z');
    // Next minute: nothing is due.
    const later = createScheduleTickHandler({
      prisma,
      queue,
      now: () => new Date('2026-11-29T10:01:00Z'),
    });
    expect((await later()).started).toEqual([]);

    // Housekeeping on the way: per-layer malware results unused for 30 days go.
    const layer = (key: string, lastUsedAt: Date) =>
      prisma.layerMalwareCache.create({
        data: { key, analyzerVersion: 'v', diffId: key, result: {}, lastUsedAt },
      });
    await layer('old', new Date('2026-10-29T09:00:00Z'));
    await layer('recent', new Date('2026-11-20T09:00:00Z'));
    expect((await later()).layersPruned).toBe(1);
    expect((await prisma.layerMalwareCache.findMany()).map((l) => l.key)).toEqual(['recent']);

    // Webhook deliveries older than 30 days go; a pending SSO sign-in a day old goes.
    const hook = await prisma.webhook.create({
      data: { name: 'h', url: 'https://hooks.example.com', secretSealed: 'x', createdBy: 'admin' },
    });
    for (const createdAt of [new Date('2026-10-20T00:00:00Z'), new Date('2026-11-20T00:00:00Z')])
      await prisma.webhookDelivery.create({
        data: { webhookId: hook.id, event: 'ping', payload: {}, createdAt },
      });
    await prisma.oidcLogin.create({
      data: {
        id: 'old',
        state: 's',
        nonce: 'n',
        codeVerifier: 'v',
        createdAt: new Date('2026-11-27T00:00:00Z'),
      },
    });
    expect((await later()).deliveriesPruned).toBe(1);
    expect(await prisma.webhookDelivery.count()).toBe(1);
    expect(await prisma.oidcLogin.count()).toBe(0);
  });
});

describe('sealed secrets', () => {
  it('round-trips, differs per call, and refuses another key, purpose or row', () => {
    const a = sealSecret(TEST_SECRET_KEY, 'registry', 's3cret', 'row-1');
    const b = sealSecret(TEST_SECRET_KEY, 'registry', 's3cret', 'row-1');
    expect(a).not.toBe(b);
    expect(a).not.toContain('s3cret');
    expect(a).toMatch(/^v2\./);
    expect(openSecret(TEST_SECRET_KEY, 'registry', a, 'row-1')).toBe('s3cret');
    expect(() => openSecret(`${TEST_SECRET_KEY}x`, 'registry', a, 'row-1')).toThrow(SecretError);
    expect(() => openSecret(TEST_SECRET_KEY, 'other', a, 'row-1')).toThrow(/differs/);
    // Copied into another row, it does not decrypt.
    expect(() => openSecret(TEST_SECRET_KEY, 'registry', a, 'row-2')).toThrow(/another record/);
    expect(() => openSecret(TEST_SECRET_KEY, 'registry', 'garbage', 'row-1')).toThrow(
      /unknown format/,
    );
    // A truncated tag (GCM accepts short tags unless told their length) is refused.
    const [v, iv, tag, data] = a.split('.') as [string, string, string, string];
    const short = [v, iv, Buffer.from(tag, 'base64url').subarray(0, 4).toString('base64url'), data];
    expect(() => openSecret(TEST_SECRET_KEY, 'registry', short.join('.'), 'row-1')).toThrow(
      /unknown format/,
    );
  });

  it('re-seals values stored before row binding, bound to their row', async () => {
    const db = await createTestDatabase();
    const prisma = createPrismaClient(db.url);
    const id = randomUUID();
    const legacy = legacySeal(TEST_SECRET_KEY, 'registry', 'old-password');
    await prisma.registryInstance.create({
      data: { id, name: 'legacy', url: 'http://127.0.0.1:1', username: 'u', secret: legacy },
    });
    expect(openRegistrySecret(TEST_SECRET_KEY, id, legacy)).toBe('old-password');
    expect(await resealLegacySecrets(prisma, TEST_SECRET_KEY)).toBe(1);
    const row = await prisma.registryInstance.findUniqueOrThrow({ where: { id } });
    expect(row.secret).toMatch(/^v2\./);
    expect(openRegistrySecret(TEST_SECRET_KEY, id, row.secret as string)).toBe('old-password');
    expect(await resealLegacySecrets(prisma, TEST_SECRET_KEY)).toBe(0);
    await prisma.$disconnect();
    await db.drop();
  });
});

/** How secrets were sealed before v2 (no associated data), to test the upgrade. */
function legacySeal(secretKey: string, purpose: string, plaintext: string): string {
  const key = Buffer.from(hkdfSync('sha256', secretKey, 'drydock', `drydock:${purpose}`, 32));
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `v1.${[iv, cipher.getAuthTag(), data].map((x) => x.toString('base64url')).join('.')}`;
}
