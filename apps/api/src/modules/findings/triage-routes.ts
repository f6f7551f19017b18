import {
  BulkTriageRequestSchema,
  BulkTriageResultSchema,
  ListSamplesQuerySchema,
  ListSensitiveQuerySchema,
  ListVulnerabilitiesQuerySchema,
  TriageRequestSchema,
  TriageResultSchema,
} from '@drydock/contract';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../../auth/auth-plugin.ts';
import type { Visibility } from '../../auth/permissions.ts';
import { actorOf } from '../../lib/actor.ts';
import { BadRequestError, UnprocessableError } from '../../lib/errors.ts';
import type { FindingsService } from './findings-service.ts';
import type { TriageKind, TriageService } from './triage-service.ts';

const VulnerabilityIdParams = z
  .object({ id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/) })
  .strict();
const Sha256Params = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict();
const SensitiveIdParams = z.object({ id: z.string().regex(/^[0-9a-f]{64}$/) }).strict();
const MAX_BULK = 5000;

export const triageRoutes: FastifyPluginAsyncZod<{
  findings: FindingsService;
  triage: TriageService;
}> = async (app, { findings, triage }) => {
  const tags = ['triage'];
  const exists = async (kind: TriageKind, id: string, visible: Visibility) => {
    if (kind === 'vulnerability') await findings.vulnerabilityDetail(id, visible);
    else if (kind === 'sample') await findings.sampleDetail(id, visible);
    else await findings.sensitiveDetail(id, visible);
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

  app.post(
    '/api/v1/sensitive/:id/triage',
    {
      config: { permission: 'triage' },
      schema: {
        tags,
        operationId: 'triageSensitive',
        params: SensitiveIdParams,
        body: TriageRequestSchema,
        response: { 200: TriageResultSchema },
      },
    },
    async (request) => {
      const { visible } = principalOf(request);
      await exists('sensitive', request.params.id, visible);
      return triage.apply('sensitive', request.params.id, request.body, actorOf(request), visible);
    },
  );

  /**
   * The rows a samples or sensitive-content filter matches (short lists: samples, secrets and
   * checks are few next to vulnerabilities).
   */
  async function rowsMatching(
    kind: 'sample' | 'sensitive',
    filter: Record<string, unknown>,
    visible: Visibility,
  ): Promise<string[]> {
    const ids: string[] = [];
    for (let page = 1; ; page++) {
      const items =
        kind === 'sample'
          ? (
              await findings.listSamples({
                ...parseFilter(ListSamplesQuerySchema, filter),
                page,
                pageSize: 200,
                visible,
              })
            ).items.map((i) => i.sha256)
          : (
              await findings.listSensitive({
                ...parseFilter(ListSensitiveQuerySchema, filter),
                page,
                pageSize: 200,
                visible,
              })
            ).items.map((i) => i.id);
      ids.push(...items);
      if (items.length < 200) break;
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
      const { kind, triage: t, dryRun = false } = request.body;
      const { visible } = principalOf(request);
      const actor = actorOf(request);
      if (request.body.ids || kind !== 'vulnerability') {
        // Listed rows (or the samples / sensitive rows a filter matches): one statement for all.
        const ids =
          request.body.ids ??
          (await rowsMatching(
            kind as 'sample' | 'sensitive',
            listFilter(request.body.filter),
            visible,
          ));
        const known = await triage.knownTargets(kind, ids, visible);
        const applied = await triage.applyMany(
          kind,
          { ids: ids.filter((id) => known.has(id)) },
          t,
          actor,
          visible,
          dryRun,
        );
        const { perTarget, ruleIds: _rules, ...summary } = applied;
        const what = {
          vulnerability: 'vulnerability',
          sample: 'malicious sample',
          sensitive: 'sensitive content',
        }[kind];
        return {
          ...summary,
          ...(request.body.ids
            ? {
                results: ids.map((id) =>
                  known.has(id)
                    ? { id, ok: true, changed: perTarget.get(id) ?? 0 }
                    : { id, ok: false, changed: 0, error: `No ${what} ${id}` },
                ),
              }
            : {}),
        };
      }
      // Everything a vulnerability tab's filter matches, however many: set-based, in SQL.
      const query = parseFilter(ListVulnerabilitiesQuerySchema, listFilter(request.body.filter));
      const {
        perTarget: _rows,
        ruleIds: _rules,
        ...summary
      } = await triage.applyMany(kind, { query }, t, actor, visible, dryRun);
      return summary;
    },
  );
};

/** A list query without its paging. */
function listFilter(filter: Record<string, unknown> | undefined) {
  const out = { ...(filter ?? {}) };
  delete out.page;
  delete out.pageSize;
  return out;
}

function parseFilter<T extends z.ZodType>(schema: T, filter: Record<string, unknown>): z.output<T> {
  const parsed = schema.safeParse({ ...filter, page: 1, pageSize: 1 });
  if (!parsed.success) {
    throw new BadRequestError(
      `filter: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
      'validation_failed',
    );
  }
  return parsed.data;
}
