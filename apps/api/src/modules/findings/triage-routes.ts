import {
  BulkTriageRequestSchema,
  BulkTriageResultSchema,
  ListSamplesQuerySchema,
  ListVulnerabilitiesQuerySchema,
  TriageRequestSchema,
  TriageResultSchema,
} from '@drydock/contract';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../../auth/auth-plugin.ts';
import type { Visibility } from '../../auth/permissions.ts';
import { actorOf } from '../../lib/actor.ts';
import { AppError, BadRequestError, UnprocessableError } from '../../lib/errors.ts';
import type { FindingsService } from './findings-service.ts';
import type { TriageKind, TriageService } from './triage-service.ts';

const VulnerabilityIdParams = z
  .object({ id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/) })
  .strict();
const Sha256Params = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict();
const MAX_BULK = 5000;

export const triageRoutes: FastifyPluginAsyncZod<{
  findings: FindingsService;
  triage: TriageService;
}> = async (app, { findings, triage }) => {
  const tags = ['triage'];
  const exists = async (kind: TriageKind, id: string, visible: Visibility) => {
    if (kind === 'vulnerability') await findings.vulnerabilityDetail(id, visible);
    else await findings.sampleDetail(id, visible);
  };

  app.post(
    '/api/v1/vulnerabilities/:id/triage',
    {
      config: { permission: 'triage' },
      schema: {
        tags,
        operationId: 'triageVulnerability',
        params: VulnerabilityIdParams,
        body: TriageRequestSchema,
        response: { 200: TriageResultSchema },
      },
    },
    async (request) => {
      const { visible } = principalOf(request);
      await exists('vulnerability', request.params.id, visible);
      return triage.apply(
        'vulnerability',
        request.params.id,
        request.body,
        actorOf(request),
        visible,
      );
    },
  );
  app.post(
    '/api/v1/malicious-samples/:sha256/triage',
    {
      config: { permission: 'triage' },
      schema: {
        tags,
        operationId: 'triageSample',
        params: Sha256Params,
        body: TriageRequestSchema,
        response: { 200: TriageResultSchema },
      },
    },
    async (request) => {
      const { visible } = principalOf(request);
      await exists('sample', request.params.sha256, visible);
      return triage.apply('sample', request.params.sha256, request.body, actorOf(request), visible);
    },
  );

  /** Ids of every row matching a list filter (the "select all matching" of the console). */
  async function idsMatching(
    kind: TriageKind,
    filter: Record<string, unknown>,
    visible: Visibility,
  ): Promise<string[]> {
    const ids: string[] = [];
    for (let page = 1; ; page++) {
      if (kind === 'vulnerability') {
        const q = ListVulnerabilitiesQuerySchema.parse({ ...filter, page, pageSize: 200 });
        const { items } = await findings.listVulnerabilities({ ...q, visible });
        ids.push(...items.map((i) => i.id));
        if (items.length < 200) break;
      } else {
        const q = ListSamplesQuerySchema.parse({ ...filter, page, pageSize: 200 });
        const { items } = await findings.listSamples({ ...q, visible });
        ids.push(...items.map((i) => i.sha256));
        if (items.length < 200) break;
      }
      if (ids.length > MAX_BULK)
        throw new UnprocessableError(
          'too_many',
          `the filter matches more than ${MAX_BULK} rows; narrow it`,
        );
    }
    return ids;
  }

  app.post(
    '/api/v1/triage/bulk',
    {
      config: { permission: 'triage' },
      schema: {
        tags,
        operationId: 'bulkTriage',
        body: BulkTriageRequestSchema,
        response: { 200: BulkTriageResultSchema },
      },
    },
    async (request) => {
      const { kind, triage: t } = request.body;
      let ids = request.body.ids;
      if (!ids) {
        const filter = { ...(request.body.filter ?? {}) };
        delete filter.page;
        delete filter.pageSize;
        const parsed = (
          kind === 'vulnerability' ? ListVulnerabilitiesQuerySchema : ListSamplesQuerySchema
        ).safeParse({ ...filter, page: 1, pageSize: 1 });
        if (!parsed.success)
          throw new BadRequestError(
            `filter: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
            'validation_failed',
          );
        ids = await idsMatching(kind, filter, principalOf(request).visible);
      }
      const actor = actorOf(request);
      const results = [];
      for (const id of ids) {
        try {
          const { visible } = principalOf(request);
          await exists(kind, id, visible);
          const { changed } = await triage.apply(kind, id, t, actor, visible);
          results.push({ id, ok: true, changed });
        } catch (error) {
          results.push({
            id,
            ok: false,
            changed: 0,
            error: error instanceof AppError ? error.message : 'could not apply',
          });
        }
      }
      return { results };
    },
  );
};
