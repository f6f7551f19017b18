import {
  ChangeListSchema,
  ChangesQuerySchema,
  ImageListSchema,
  ImageRowSchema,
  ListImagesQuerySchema,
  ListSamplesQuerySchema,
  ListSensitiveQuerySchema,
  ListVulnerabilitiesQuerySchema,
  PageQuerySchema,
  SampleDetailSchema,
  SampleListSchema,
  SensitiveDetailSchema,
  SensitiveListSchema,
  SummarySchema,
  TrendQuerySchema,
  TrendSchema,
  VulnerabilityDetailSchema,
  VulnerabilityListSchema,
} from '@drydock/contract';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../../auth/auth-plugin.ts';
import type { FindingsService } from './findings-service.ts';

const VulnerabilityIdParams = z
  .object({ id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/, 'a vulnerability id') })
  .strict();
const Sha256Params = z
  .object({ sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 hex digest') })
  .strict();
const SensitiveIdParams = z
  .object({ id: z.string().regex(/^[0-9a-f]{64}$/, 'a sensitive-content id (64 hex)') })
  .strict();
const DigestParams = z
  .object({ digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, 'sha256:<64 hex>') })
  .strict();

/** The Image Security page's data: summary, the four tabs, details, images. */
export const findingsRoutes: FastifyPluginAsyncZod<{ service: FindingsService }> = async (
  app,
  { service },
) => {
  const tags = ['image-security'];
  app.get(
    '/api/v1/summary',
    {
      config: { permission: 'read' },
      schema: {
        tags,
        operationId: 'getSummary',
        summary: 'Counts per tab and priority',
        response: { 200: SummarySchema },
      },
    },
    async (request) => service.summary(principalOf(request).visible),
  );
  app.get(
    '/api/v1/summary/trend',
    {
      config: { permission: 'read' },
      schema: {
        tags: ['image-security'],
        operationId: 'getTrend',
        summary: 'Vulnerability findings present at the end of each day, by priority',
        querystring: TrendQuerySchema,
        response: { 200: TrendSchema },
      },
    },
    async (request) => service.trend(request.query.days, principalOf(request).visible),
  );
  app.get(
    '/api/v1/vulnerabilities',
    {
      config: { permission: 'read' },
      schema: {
        tags,
        operationId: 'listVulnerabilities',
        summary: 'One row per vulnerability of the system or application tab',
        querystring: ListVulnerabilitiesQuerySchema,
        response: { 200: VulnerabilityListSchema },
      },
    },
    async (request) =>
      service.listVulnerabilities({ ...request.query, visible: principalOf(request).visible }),
  );
  app.get(
    '/api/v1/vulnerabilities/:id',
    {
      config: { permission: 'read' },
      schema: {
        tags,
        operationId: 'getVulnerability',
        params: VulnerabilityIdParams,
        response: { 200: VulnerabilityDetailSchema },
      },
    },
    async (request) => service.vulnerabilityDetail(request.params.id, principalOf(request).visible),
  );
  app.get(
    '/api/v1/vulnerabilities/:id/images',
    {
      config: { permission: 'read' },
      schema: {
        tags,
        operationId: 'listVulnerabilityImages',
        params: VulnerabilityIdParams,
        querystring: PageQuerySchema,
        response: { 200: ImageListSchema },
      },
    },
    async (request) =>
      service.vulnerabilityImages(request.params.id, {
        ...request.query,
        visible: principalOf(request).visible,
      }),
  );
  app.get(
    '/api/v1/malicious-samples',
    {
      config: { permission: 'read' },
      schema: {
        tags,
        operationId: 'listMaliciousSamples',
        querystring: ListSamplesQuerySchema,
        response: { 200: SampleListSchema },
      },
    },
    async (request) =>
      service.listSamples({ ...request.query, visible: principalOf(request).visible }),
  );
  app.get(
    '/api/v1/malicious-samples/:sha256',
    {
      config: { permission: 'read' },
      schema: {
        tags,
        operationId: 'getMaliciousSample',
        params: Sha256Params,
        response: { 200: SampleDetailSchema },
      },
    },
    async (request) => service.sampleDetail(request.params.sha256, principalOf(request).visible),
  );
  app.get(
    '/api/v1/sensitive',
    {
      config: { permission: 'read' },
      schema: {
        tags,
        operationId: 'listSensitive',
        querystring: ListSensitiveQuerySchema,
        response: { 200: SensitiveListSchema },
      },
    },
    async (request) =>
      service.listSensitive({ ...request.query, visible: principalOf(request).visible }),
  );
  app.get(
    '/api/v1/sensitive/:id',
    {
      config: { permission: 'read' },
      schema: {
        tags,
        operationId: 'getSensitive',
        params: SensitiveIdParams,
        response: { 200: SensitiveDetailSchema },
      },
    },
    async (request) => service.sensitiveDetail(request.params.id, principalOf(request).visible),
  );
  app.get(
    '/api/v1/changes',
    {
      config: { permission: 'read' },
      schema: {
        tags,
        operationId: 'listChanges',
        querystring: ChangesQuerySchema,
        response: { 200: ChangeListSchema },
      },
    },
    async (request) =>
      service.listChanges({ ...request.query, visible: principalOf(request).visible }),
  );
  app.get(
    '/api/v1/images',
    {
      config: { permission: 'read' },
      schema: {
        tags,
        operationId: 'listImages',
        querystring: ListImagesQuerySchema,
        response: { 200: ImageListSchema },
      },
    },
    async (request) =>
      service.listImages({ ...request.query, visible: principalOf(request).visible }),
  );
  app.get(
    '/api/v1/images/:digest',
    {
      config: { permission: 'read' },
      schema: {
        tags,
        operationId: 'getImage',
        params: DigestParams,
        response: { 200: ImageRowSchema },
      },
    },
    async (request) => service.imageDetail(request.params.digest, principalOf(request).visible),
  );
};
