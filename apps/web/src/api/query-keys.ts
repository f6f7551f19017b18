/**
 * The roots of the console's query keys, one per resource. Every query key starts with its
 * resource's root (`['findings', 'vulnerabilities', query]`), so invalidating a root refreshes
 * everything that shows that resource — no hand-kept list of keys.
 */
export const queryRoots = {
  session: ['session'],
  setup: ['setup'],
  health: ['health'],
  findings: ['findings'],
  scans: ['scans'],
  registries: ['registries'],
  users: ['users'],
  tokens: ['tokens'],
  audit: ['audit'],
  advisories: ['advisories'],
  webhooks: ['webhooks'],
} as const;
