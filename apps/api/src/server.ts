import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createPrismaClient, resealLegacySecrets, startQueue } from '@drydock/db';
import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { issueSetupToken } from './modules/accounts/accounts-service.ts';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`drydock api: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const prisma = createPrismaClient(config.databaseUrl);
  const queue = await startQueue(config.databaseUrl);
  const app = await buildApp({
    queue,
    config: {
      ...config,
      webDist: config.webDist ?? path.resolve(import.meta.dirname, '../../web/dist'),
    },
    prisma,
  });
  app.addHook('onClose', async () => {
    await queue.stop();
    await prisma.$disconnect();
  });

  closeWithGrace({ delay: 10_000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error');
    else app.log.info({ signal }, 'shutting down');
    await app.close();
  });

  await app.listen({ port: config.port, host: config.host });

  // Registry secrets stored before they were bound to their row are sealed again, bound.
  const resealed = await resealLegacySecrets(prisma, config.secretKey).catch((err: unknown) => {
    app.log.warn({ err }, 'could not re-seal stored registry secrets');
    return 0;
  });
  if (resealed) app.log.info({ resealed }, 'registry secrets sealed again, bound to their rows');

  // First run: a one-time token to create the first admin (no default password anywhere).
  const token = await issueSetupToken(prisma);
  if (token) {
    const file = path.join(config.dataDir, 'setup-token');
    await mkdir(config.dataDir, { recursive: true });
    await writeFile(file, `${token}\n`, { mode: 0o600 });
    app.log.warn(
      { setupTokenFile: file },
      `no administrator yet: open the console and create one with the setup token in ${file}`,
    );
  }
}

await main();
