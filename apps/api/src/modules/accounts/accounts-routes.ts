import {
  ApiTokenCreatedSchema,
  ApiTokenListSchema,
  ChangePasswordSchema,
  CreateApiTokenSchema,
  CreateUserSchema,
  LoginRequestSchema,
  SecurityLogPageSchema,
  SecurityLogQuerySchema,
  SessionInfoSchema,
  SetupRequestSchema,
  SetupStatusSchema,
  TriageLogPageSchema,
  TriageLogQuerySchema,
  UpdateUserSchema,
  UserListSchema,
  UserSchema,
} from '@drydock/contract';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf, setSessionCookie } from '../../auth/auth-plugin.ts';
import { type AccountsService, SESSION_HOURS } from './accounts-service.ts';

const IdParams = z.object({ id: z.uuid() }).strict();

export const accountsRoutes: FastifyPluginAsyncZod<{ service: AccountsService }> = async (
  app,
  { service },
) => {
  const tags = ['accounts'];

  app.get(
    '/api/v1/setup',
    {
      config: { public: true },
      schema: { tags, operationId: 'getSetupStatus', response: { 200: SetupStatusSchema } },
    },
    async () => ({ needed: await service.setupNeeded() }),
  );
  app.post(
    '/api/v1/setup',
    {
      config: { public: true },
      schema: {
        tags,
        operationId: 'setup',
        summary:
          'Create the first admin with the one-time setup token (API log / <data dir>/setup-token)',
        body: SetupRequestSchema,
        response: { 201: SessionInfoSchema },
      },
    },
    async (request, reply) => {
      const { cookie, info } = await service.setup(request.body, request.ip);
      setSessionCookie(request, reply, cookie, SESSION_HOURS * 3600);
      return reply.status(201).send(info);
    },
  );
  app.post(
    '/api/v1/auth/login',
    {
      config: { public: true },
      schema: {
        tags,
        operationId: 'login',
        body: LoginRequestSchema,
        response: { 200: SessionInfoSchema },
      },
    },
    async (request, reply) => {
      // A new session id on every sign-in: a cookie planted before cannot be carried over.
      const opened = await service.login(request.body.username, request.body.password, request.ip);
      setSessionCookie(request, reply, opened.cookie, SESSION_HOURS * 3600);
      return opened.info;
    },
  );
  app.post(
    '/api/v1/auth/logout',
    { config: { permission: 'self' }, schema: { tags, operationId: 'logout' } },
    async (request, reply) => {
      await service.logout(principalOf(request), request.ip);
      setSessionCookie(request, reply, '', 0);
      return reply.status(204).send();
    },
  );
  app.post(
    '/api/v1/auth/password',
    {
      config: { permission: 'self' },
      schema: {
        tags,
        operationId: 'changePassword',
        summary: 'Change your own password; every other session of yours ends',
        body: ChangePasswordSchema,
        response: { 200: SessionInfoSchema },
      },
    },
    async (request, reply) => {
      const opened = await service.changePassword(principalOf(request), request.body, request.ip);
      setSessionCookie(request, reply, opened.cookie, SESSION_HOURS * 3600);
      return opened.info;
    },
  );
  app.get(
    '/api/v1/auth/session',
    {
      config: { permission: 'self' },
      schema: { tags, operationId: 'getSession', response: { 200: SessionInfoSchema } },
    },
    async (request) => service.session(principalOf(request)),
  );

  app.get(
    '/api/v1/users',
    {
      config: { permission: 'admin' },
      schema: {
        tags,
        operationId: 'listUsers',
        response: { 200: UserListSchema },
      },
    },
    async () => ({ items: await service.listUsers() }),
  );
  app.post(
    '/api/v1/users',
    {
      config: { permission: 'admin' },
      schema: {
        tags,
        operationId: 'createUser',
        body: CreateUserSchema,
        response: { 201: UserSchema },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await service.createUser(request.body, principalOf(request), request.ip)),
  );
  app.patch(
    '/api/v1/users/:id',
    {
      config: { permission: 'admin' },
      schema: {
        tags,
        operationId: 'updateUser',
        params: IdParams,
        body: UpdateUserSchema,
        response: { 200: UserSchema },
      },
    },
    async (request) =>
      service.updateUser(request.params.id, request.body, principalOf(request), request.ip),
  );

  app.get(
    '/api/v1/tokens',
    {
      config: { permission: 'self' },
      schema: {
        tags,
        operationId: 'listTokens',
        response: { 200: ApiTokenListSchema },
      },
    },
    async (request) => ({ items: await service.listTokens(principalOf(request)) }),
  );
  app.post(
    '/api/v1/tokens',
    {
      config: { permission: 'self' },
      schema: {
        tags,
        operationId: 'createToken',
        body: CreateApiTokenSchema,
        response: { 201: ApiTokenCreatedSchema },
      },
    },
    async (request, reply) =>
      reply
        .status(201)
        .send(await service.createToken(request.body, principalOf(request), request.ip)),
  );
  app.delete(
    '/api/v1/tokens/:id',
    {
      config: { permission: 'self' },
      schema: { tags, operationId: 'revokeToken', params: IdParams },
    },
    async (request, reply) => {
      await service.revokeToken(request.params.id, principalOf(request), request.ip);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/audit/triage',
    {
      config: { permission: 'audit' },
      schema: {
        tags,
        operationId: 'getTriageLog',
        summary:
          'Every triage decision (within your scope), newest first; filter by actor, action prefix, time',
        querystring: TriageLogQuerySchema,
        response: { 200: TriageLogPageSchema },
      },
    },
    async (request) => service.triageLog(request.query, principalOf(request).visible),
  );
  app.get(
    '/api/v1/audit/security',
    {
      config: { permission: 'security' },
      schema: {
        tags,
        operationId: 'getSecurityLog',
        summary: 'Security events, newest first; filter by actor, action prefix, outcome, time',
        querystring: SecurityLogQuerySchema,
        response: { 200: SecurityLogPageSchema },
      },
    },
    async (request) => service.securityLog(request.query),
  );
};
