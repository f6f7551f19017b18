import type { Problem } from '@drydock/contract';
import { isDatabaseUnavailable } from '@drydock/db';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import {
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
} from 'fastify-type-provider-zod';
import { AppError } from '../lib/errors.ts';

/** What 503s answer in Retry-After while the database is away. */
const DATABASE_RETRY_SECONDS = 5;

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function sendProblem(
  reply: FastifyReply,
  request: FastifyRequest,
  problem: Omit<Problem, 'type' | 'title' | 'instance' | 'requestId'> & { title?: string },
): FastifyReply {
  const body: Problem = {
    type: 'about:blank',
    title: problem.title ?? TITLES[problem.status] ?? 'Error',
    instance: request.url,
    requestId: request.id,
    ...problem,
  };
  return reply.status(problem.status).type('application/problem+json').send(body);
}

/**
 * Every error leaves the API as RFC 9457 problem+json. Validation errors are 400 with per-field
 * `errors`; AppErrors keep their status and code; client errors raised by Fastify itself (bad
 * JSON, body too large, wrong content type) keep their 4xx; the database being unreachable is a
 * 503 with Retry-After; anything else is a masked 500.
 */
async function problemDetails(app: FastifyInstance): Promise<void> {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      return sendProblem(reply, request, {
        status: 400,
        code: 'validation_failed',
        detail: `Invalid request ${error.validationContext ?? 'input'}`,
        errors: error.validation.map((v) => ({
          path: `${error.validationContext ?? ''}${v.instancePath.replaceAll('/', '.')}`,
          message: v.message ?? 'invalid',
        })),
      });
    }
    if (error instanceof AppError) {
      if (error.retryAfterSeconds !== undefined) {
        reply.header('retry-after', String(error.retryAfterSeconds));
      }
      return sendProblem(reply, request, {
        status: error.statusCode,
        code: error.code,
        detail: error.message,
      });
    }
    if (isDatabaseUnavailable(error)) {
      // Nothing was half-done: every write is one transaction. The client can simply retry.
      request.log.warn({ err: error }, 'database unavailable');
      reply.header('retry-after', String(DATABASE_RETRY_SECONDS));
      return sendProblem(reply, request, {
        status: 503,
        code: 'database_unavailable',
        detail: `the database is unreachable right now; try again in ${DATABASE_RETRY_SECONDS} s (GET /api/health tells when it is back)`,
      });
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ err: error }, 'response does not match its schema');
    } else if (
      typeof error.statusCode === 'number' &&
      error.statusCode >= 400 &&
      error.statusCode < 500
    ) {
      return sendProblem(reply, request, {
        status: error.statusCode,
        code: (error.code ?? 'bad_request').toLowerCase(),
        detail: error.message,
      });
    } else {
      request.log.error({ err: error }, 'unhandled error');
    }
    return sendProblem(reply, request, {
      status: 500,
      code: 'internal_error',
      detail: 'An internal error occurred. The request id identifies it in the server log.',
    });
  });
}

export function sendRouteNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(reply, request, {
    status: 404,
    code: 'route_not_found',
    detail: `No route ${request.method} ${request.url.split('?')[0]}`,
  });
}

export default fp(problemDetails, { name: 'problem-details' });
