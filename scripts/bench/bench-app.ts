// The API app of the benchmarks, on the benchmark database, with an admin API token.
import { createHash, randomUUID } from 'node:crypto';
import type { PrismaClient } from '@drydock/db';
import { buildApp } from '../../apps/api/src/app.ts';

export async function benchApp(prisma: PrismaClient) {
  const app = await buildApp({
    config: {
      webDist: undefined,
      logLevel: 'silent',
      secretKey: 'bench-secret-key-0123456789abcdef-0123456789',
      maxUploadBytes: 1024,
      rateLimitPerMinute: 1_000_000,
    },
    prisma,
    queue: { send: async () => 'unused', sendMany: async () => [] },
    logger: false,
  });
  await app.ready();
  const admin = await prisma.user.upsert({
    where: { username: 'bench-admin' },
    create: { username: 'bench-admin', passwordHash: '!', role: 'admin' },
    update: {},
  });
  /** A token of the bench admin, or of a viewer limited to instances or namespaces. */
  const token = async (
    name: string,
    role: 'admin' | 'viewer' = 'admin',
    scope: { instanceIds?: string[]; namespaceIds?: string[] } = {},
  ) => {
    const value = `ddk_bench_${randomUUID()}`;
    await prisma.apiToken.create({
      data: {
        name,
        tokenHash: createHash('sha256').update(value).digest('hex'),
        prefix: value.slice(0, 10),
        role,
        instanceIds: scope.instanceIds ?? [],
        namespaceIds: scope.namespaceIds ?? [],
        userId: admin.id,
      },
    });
    return { authorization: `Bearer ${value}` };
  };
  return { app, token };
}
