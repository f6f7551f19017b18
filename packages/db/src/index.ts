export {
  advisoryDbState,
  advisoryImportView,
  queueAdvisoryImport,
  queueDueAdvisoryRefresh,
} from './advisory-imports.ts';
export { PgAdvisoryStore } from './advisory-store.ts';
export { bulkPool, createPrismaClient, type PrismaClient } from './client.ts';
export { type EmbeddedDatabase, freePort, startEmbeddedPostgres } from './embedded.ts';
export { pendingFixActions, refreshFixActions } from './fix-actions.ts';
export { Prisma } from './generated/prisma/client.ts';
export { applyMigrations } from './migrate.ts';
export {
  type ImageLocation,
  type PersistResult,
  persistScan,
  planReconcile,
} from './persist-scan.ts';
export { poolConfigFromUrl } from './pool-config.ts';
export { type Queue, startQueue } from './queue.ts';
export {
  openRegistrySecret,
  resealLegacySecrets,
  sealRegistrySecret,
} from './registry-secrets.ts';
export {
  addImagesToScan,
  type ImageVisibility,
  imagesInScope,
  retryFailed,
  type StartScanInput,
  sendJobs,
  startScan,
  UnknownImagesError,
} from './scans.ts';
export { isLegacySecret, openSecret, SecretError, sealSecret } from './secrets.ts';
export { isDatabaseUnavailable } from './unavailable.ts';
export {
  pruneUploads,
  type StoredUpload,
  storeUpload,
  UploadError,
  writeUploadToFile,
} from './uploads.ts';
export {
  emitScanFinished,
  emitWebhookEvent,
  type ImageScope,
  imageForWebhook,
  openWebhookSecret,
  redeliver,
  sealWebhookSecret,
} from './webhooks.ts';
