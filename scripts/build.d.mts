/** The workspace packages the server build compiles, in order. */
export const BUILT: string[];
/** Compiles the API, the worker and their packages where sources changed (see build.mjs). */
export function buildServer(options?: { quiet?: boolean }): Promise<void>;
