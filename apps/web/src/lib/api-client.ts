import { type Problem, ProblemSchema } from '@drydock/contract';
import type { z } from 'zod';

/** An API failure, with the server's problem+json body when it sent one. */
export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly problem: Problem | undefined,
  ) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
  }
}

/**
 * Fetches a JSON endpoint and parses the body with the shared contract schema. `acceptStatuses`
 * lists non-2xx statuses whose body is still a valid response (e.g. health's 503).
 */
export async function request<S extends z.ZodType>(
  schema: S,
  path: string,
  init: RequestInit & { acceptStatuses?: number[] } = {},
): Promise<z.infer<S>> {
  const { acceptStatuses = [], ...rest } = init;
  const response = await fetch(path, {
    ...rest,
    headers: { accept: 'application/json', ...rest.headers },
  });
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok && !acceptStatuses.includes(response.status)) {
    const problem = ProblemSchema.safeParse(body);
    throw new ApiError(response.status, problem.success ? problem.data : undefined);
  }
  return schema.parse(body);
}
