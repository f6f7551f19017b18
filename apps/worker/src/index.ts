export { loadWorkerConfig, type WorkerConfig } from './config.ts';
export { createRegistryCheckHandler } from './jobs/registry-check.ts';
export { startWorker, type WorkerDeps } from './worker.ts';
