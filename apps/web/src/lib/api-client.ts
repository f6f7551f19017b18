import { type Problem, ProblemSchema } from '@drydock/contract';
import type { z } from 'zod';

/** The problem+json body of a failure; a body that is not quite one still gives its detail. */
function problemOf(body: unknown, status: number): Problem | undefined {
  const parsed = ProblemSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>;
    if (typeof b.detail === 'string' || typeof b.title === 'string') {
      return {
        type: 'about:blank',
        title: typeof b.title === 'string' ? b.title : `HTTP ${status}`,
        status,
        ...(typeof b.detail === 'string' ? { detail: b.detail } : {}),
      } as Problem;
    }
  }
  return undefined;
}

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
    throw new ApiError(response.status, problemOf(body, response.status));
  }
  return schema.parse(body);
}

let csrfToken = '';
/** The session's CSRF token, sent with every state-changing request (set at sign-in). */
export function setCsrfToken(token: string) {
  csrfToken = token;
}

/**
 * Sends JSON (POST, PATCH, DELETE) and parses the answer; 204 gives undefined. A Blob (a file
 * the user picked) goes as it is, with its own type or application/octet-stream.
 */
export async function send<S extends z.ZodType>(
  schema: S | undefined,
  path: string,
  method: 'POST' | 'PATCH' | 'DELETE',
  body?: unknown,
): Promise<S extends z.ZodType ? z.infer<S> : undefined> {
  const blob = body instanceof Blob ? body : undefined;
  const contentType = blob
    ? blob.type || 'application/octet-stream'
    : body === undefined
      ? undefined
      : 'application/json';
  const response = await fetch(path, {
    method,
    headers: {
      accept: 'application/json',
      ...(csrfToken ? { 'x-csrf-token': csrfToken } : {}),
      ...(contentType ? { 'content-type': contentType } : {}),
    },
    ...(blob ? { body: blob } : body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const parsed: unknown =
    response.status === 204 ? undefined : await response.json().catch(() => undefined);
  if (!response.ok) {
    throw new ApiError(response.status, problemOf(parsed, response.status));
  }
  return (schema ? schema.parse(parsed) : undefined) as S extends z.ZodType
    ? z.infer<S>
    : undefined;
}

/** Builds `path?a=1&b=2` from defined, non-empty values. */
export function withQuery(
  path: string,
  params: Record<string, string | number | undefined | null>,
) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
