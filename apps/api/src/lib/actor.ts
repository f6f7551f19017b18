import type { FastifyRequest } from 'fastify';

/** Who acts: the signed-in user, or `user (token name)` for API tokens. */
export const actorOf = (request: FastifyRequest) => request.principal?.name ?? 'anonymous';
