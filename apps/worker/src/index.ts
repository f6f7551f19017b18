export { loadWorkerConfig, type WorkerConfig } from './config.ts';
export { createRegistryCheckHandler } from './jobs/registry-check.ts';
export { type RunningWorker, startWorker, type WorkerDeps } from './worker.ts';
