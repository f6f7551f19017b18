import { VERSION } from '@drydock/contract';
import type { PrismaClient, Queue } from '@drydock/db';
import helmet from '@fastify/helmet';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import {
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import authPlugin from './auth/auth-plugin.ts';
import type { Config, TrustProxy } from './config.ts';
import { createRateLimiter } from './lib/rate-limit.ts';
import { accountsRoutes } from './modules/accounts/accounts-routes.ts';
import { createAccountsService } from './modules/accounts/accounts-service.ts';
import { LoginThrottle } from './modules/accounts/login-throttle.ts';
import { advisoriesRoutes } from './modules/advisories/advisories-routes.ts';
import { createAdvisoriesService } from './modules/advisories/advisories-service.ts';
import { exportRoutes } from './modules/findings/export-routes.ts';
import { createFindingsRepository } from './modules/findings/findings-repository.ts';
import { findingsRoutes } from './modules/findings/findings-routes.ts';
import { createFindingsService } from './modules/findings/findings-service.ts';
import { fixPlanRoutes } from './modules/findings/fix-plan-routes.ts';
import { createFixPlanService } from './modules/findings/fix-plan-service.ts';
import { triageRoutes } from './modules/findings/triage-routes.ts';
import { createTriageService } from './modules/findings/triage-service.ts';
import { healthRoutes } from './modules/health/health-routes.ts';
import { createHealthService } from './modules/health/health-service.ts';
import { metricsRoutes } from './modules/metrics/metrics-routes.ts';
import { createMetricsService } from './modules/metrics/metrics-service.ts';
import { registriesRoutes } from './modules/registries/registries-routes.ts';
import { createRegistriesService } from './modules/registries/registries-service.ts';
import { createRegistryEventsService } from './modules/registries/registry-events-service.ts';
import { sbomRoutes } from './modules/sbom/sbom-routes.ts';
import { createSbomService } from './modules/sbom/sbom-service.ts';
import { createVexService } from './modules/sbom/vex-service.ts';
import { reportsRoutes } from './modules/scans/reports-routes.ts';
import { createReportsService } from './modules/scans/reports-service.ts';
import { scansRoutes } from './modules/scans/scans-routes.ts';
import { createScansService } from './modules/scans/scans-service.ts';
import { oidcRoutes } from './modules/sso/oidc-routes.ts';
import { createOidcService } from './modules/sso/oidc-service.ts';
import { webhooksRoutes } from './modules/webhooks/webhooks-routes.ts';
import { createWebhooksService } from './modules/webhooks/webhooks-service.ts';
import consolePlugin from './plugins/console.ts';
import openapi from './plugins/openapi.ts';
import problemDetails from './plugins/problem-details.ts';

export interface AppDeps {
  config: Pick<Config, 'webDist' | 'logLevel' | 'secretKey' | 'maxUploadBytes'> &
    Partial<
      Pick<
        Config,
        | 'registryTimeoutMs'
        | 'rateLimitPerMinute'
        | 'trustProxy'
        | 'advisoryMirrors'
        | 'advisoryRefresh'
        | 'advisoryFeeds'
        | 'oidc'
      >
    >;
  prisma: PrismaClient;
  /** Producer side of the job queue (Scan Now, sync). */
  queue: Pick<Queue, 'send' | 'sendMany'>;
  logger?: FastifyServerOptions['logger'];
  now?: () => number;
}

/**
 * Fastify's proxy trust from ours: addresses/CIDRs as they are; a hop count as "the n nearest
 * hops" (Fastify itself refuses a bare number, since a client that reaches the API directly could
 * then name its own address: use it only when every request comes through those proxies).
 */
function trustProxyOption(
  trust: TrustProxy,
): boolean | string[] | ((a: string, i: number) => boolean) {
  if (trust === false) return false;
  if (typeof trust === 'number') return (_address, hop) => hop < trust;
  return trust;
}

/** Builds an unstarted API instance: external plugins, then app plugins, then routes. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: deps.logger ?? { level: deps.config.logLevel },
    bodyLimit: 1024 * 1024,
    requestIdHeader: false,
    genReqId: () => crypto.randomUUID(),
    trustProxy: trustProxyOption(deps.config.trustProxy ?? false),
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(problemDetails);
  await app.register(helmet, {
    // The console is same-origin only: no inline scripts or styles, no framing, no plugins.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    hsts: { maxAge: 15552000, includeSubDomains: true },
  });
  // Shared by every API process through PostgreSQL; a database hiccup never blocks requests
  // (they would fail on their own queries anyway).
  const limiter = createRateLimiter(deps.prisma, {
    max: deps.config.rateLimitPerMinute ?? 1200,
    windowMs: 60_000,
  });
  await app.register(authPlugin, { prisma: deps.prisma, limiter });
  await app.register(openapi);

  await app.register(metricsRoutes, { service: createMetricsService(deps.prisma) });
  const startedAt = (deps.now ?? Date.now)();
  await app.register(healthRoutes, {
    service: createHealthService({
      prisma: deps.prisma,
      version: VERSION,
      startedAt,
      now: deps.now,
    }),
  });

  const triage = createTriageService(
    deps.prisma,
    deps.now ? () => new Date((deps.now as () => number)()) : undefined,
  );
  const findingsRepository = createFindingsRepository(deps.prisma);
  const findings = createFindingsService(
    findingsRepository,
    triage,
    deps.now ? () => new Date((deps.now as () => number)()) : undefined,
  );
  // Export routes before the `:id` detail routes is not needed: Fastify prefers static segments.
  await app.register(findingsRoutes, { service: findings });
  await app.register(triageRoutes, { findings, triage });
  await app.register(exportRoutes, { findings });
  await app.register(fixPlanRoutes, {
    service: createFixPlanService(
      findingsRepository,
      deps.now ? () => new Date((deps.now as () => number)()) : undefined,
    ),
  });

  await app.register(oidcRoutes, {
    service: deps.config.oidc
      ? createOidcService(
          deps.prisma,
          deps.config.oidc,
          deps.now ? () => new Date((deps.now as () => number)()) : undefined,
        )
      : undefined,
  });
  await app.register(accountsRoutes, {
    service: createAccountsService(
      deps.prisma,
      new LoginThrottle(deps.prisma),
      deps.now ? () => new Date((deps.now as () => number)()) : undefined,
    ),
  });
  await app.register(advisoriesRoutes, {
    service: createAdvisoriesService({
      prisma: deps.prisma,
      queue: deps.queue,
      mirrorRoots: deps.config.advisoryMirrors ?? [],
      refresh: deps.config.advisoryRefresh ?? null,
      ...(deps.config.advisoryFeeds ? { feeds: deps.config.advisoryFeeds } : {}),
    }),
  });
  await app.register(registriesRoutes, {
    service: createRegistriesService({
      prisma: deps.prisma,
      queue: deps.queue,
      secretKey: deps.config.secretKey,
      ...(deps.config.registryTimeoutMs
        ? { registryTimeoutMs: deps.config.registryTimeoutMs }
        : {}),
    }),
    events: createRegistryEventsService({ prisma: deps.prisma, queue: deps.queue }),
  });
  await app.register(webhooksRoutes, {
    service: createWebhooksService({
      prisma: deps.prisma,
      queue: deps.queue,
      secretKey: deps.config.secretKey,
    }),
  });
  await app.register(scansRoutes, {
    service: createScansService({
      prisma: deps.prisma,
      queue: deps.queue,
      maxUploadBytes: deps.config.maxUploadBytes,
    }),
  });

  const reports = createReportsService(deps.prisma, deps.queue);
  await app.register(reportsRoutes, { service: reports });
  await app.register(sbomRoutes, {
    service: createSbomService(deps.prisma, reports),
    vex: createVexService(deps.prisma, triage),
  });

  await app.register(consolePlugin, { webDist: deps.config.webDist });
  return app;
}
