export * from './findings-api.ts';
export * from './health.ts';
export * from './image-security.ts';
export * from './jobs.ts';
export * from './malware.ts';
export * from './problem.ts';
export * from './scan-report.ts';
export * from './vulnerability.ts';
