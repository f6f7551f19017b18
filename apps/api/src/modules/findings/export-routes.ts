import { Readable } from 'node:stream';
import {
  FINDING_EXPORT_COLUMNS,
  isCoverageWarning,
  ListImagesQuerySchema,
  ListSamplesQuerySchema,
  ListSensitiveQuerySchema,
  ListVulnerabilitiesQuerySchema,
} from '@drydock/contract';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../../auth/auth-plugin.ts';
import type { Visibility } from '../../auth/permissions.ts';
import type { FindingsService } from './findings-service.ts';

/** Formula starters a spreadsheet would evaluate: `=`, `+`, `-`, `@`, tab, carriage return. */
const FORMULA = new Set([61, 43, 45, 64, 9, 13]);

const csvCell = (v: unknown) => {
  let text =
    v === null || v === undefined
      ? ''
      : typeof v === 'string'
        ? v
        : Array.isArray(v)
          ? v.join(' ')
          : String(v);
  // Neutralise spreadsheet formulas; quote always.
  if (text.length > 0 && FORMULA.has(text.charCodeAt(0))) text = `'${text}`;
  return `"${text.includes('"') ? text.replace(/"/g, '""') : text}"`;
};

/** CSV and JSON downloads of exactly a list's filter, every page, streamed. */
export const exportRoutes: FastifyPluginAsyncZod<{ findings: FindingsService }> = async (
  app,
  { findings },
) => {
  const tags = ['image-security'];
  const ExportFormat = z.object({ format: z.enum(['csv', 'json']).default('csv') });
  const streamRows = (
    format: 'csv' | 'json',
    columns: string[],
    pages: AsyncGenerator<Record<string, unknown>[]>,
  ) =>
    Readable.from(
      (async function* () {
        let first = true;
        if (format === 'csv') yield `${columns.join(',')}\n`;
        else yield '[';
        for await (const rows of pages) {
          // One chunk a page: far fewer writes than one a row.
          let chunk = '';
          for (const row of rows) {
            if (format === 'csv') chunk += `${columns.map((c) => csvCell(row[c])).join(',')}\n`;
            else {
              chunk += `${first ? '' : ','}\n${JSON.stringify(row)}`;
              first = false;
            }
          }
          if (chunk) yield chunk;
        }
        if (format === 'json') yield '\n]\n';
      })(),
    );

  /** Streams every row of a list filter, page by page, with the list's columns. */
  function exportRoute<Q extends { format: 'csv' | 'json' }>(options: {
    url: string;
    operationId: string;
    querystring: z.ZodType<Q>;
    columns: string[];
    filename: (q: Q) => string;
    /** The rows, page by page. */
    pages: (q: Q, visible: Visibility) => AsyncGenerator<Record<string, unknown>[]>;
  }) {
    app.get(
      options.url,
      {
        config: { permission: 'read' },
        schema: { tags, operationId: options.operationId, querystring: options.querystring },
      },
      async (request, reply) => {
        const q = request.query as Q;
        const pages = options.pages(q, principalOf(request).visible);
        reply
          .type(q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json')
          .header(
            'content-disposition',
            `attachment; filename="${options.filename(q)}.${q.format}"`,
          );
        return reply.send(streamRows(q.format, options.columns, pages));
      },
    );
  }

  exportRoute({
    url: '/api/v1/vulnerabilities/export',
    operationId: 'exportVulnerabilities',
    querystring: ListVulnerabilitiesQuerySchema.omit({ page: true, pageSize: true })
      .extend(ExportFormat.shape)
      .strict(),
    // One row per finding (a vulnerability in a package of an image), not per list row.
    columns: [...FINDING_EXPORT_COLUMNS],
    filename: (q) => `vulnerabilities-${q.category}-${q.status}`,
    pages: ({ format: _f, ...filter }, visible) =>
      findings.exportFindings({ ...filter, page: 1, pageSize: 1, visible }),
  });
  exportRoute({
    url: '/api/v1/malicious-samples/export',
    operationId: 'exportMaliciousSamples',
    querystring: ListSamplesQuerySchema.omit({ page: true, pageSize: true })
      .extend(ExportFormat.shape)
      .strict(),
    columns: [
      'sha256',
      'name',
      'category',
      'severity',
      'affectedImages',
      'firstScanAt',
      'lastScanAt',
      'processingStatus',
    ],
    filename: () => 'malicious-samples',
    pages: ({ format: _f, ...filter }, visible) =>
      (async function* () {
        for (let page = 1; ; page++) {
          const { items } = await findings.listSamples({ ...filter, page, pageSize: 200, visible });
          yield items as Record<string, unknown>[];
          if (items.length < 200) return;
        }
      })(),
  });
  exportRoute({
    url: '/api/v1/sensitive/export',
    operationId: 'exportSensitive',
    querystring: ListSensitiveQuerySchema.omit({ page: true, pageSize: true })
      .extend(ExportFormat.shape)
      .strict(),
    // Masked previews only: a secret never leaves the scanner.
    columns: [
      'id',
      'kind',
      'ruleId',
      'title',
      'category',
      'priority',
      'preview',
      'affectedImages',
      'firstScanAt',
      'lastScanAt',
      'processingStatus',
    ],
    filename: () => 'sensitive-content',
    pages: ({ format: _f, ...filter }, visible) =>
      (async function* () {
        for (let page = 1; ; page++) {
          const { items } = await findings.listSensitive({
            ...filter,
            page,
            pageSize: 200,
            visible,
          });
          yield items as Record<string, unknown>[];
          if (items.length < 200) return;
        }
      })(),
  });
  exportRoute({
    url: '/api/v1/images/export',
    operationId: 'exportImages',
    querystring: ListImagesQuerySchema.omit({ page: true, pageSize: true })
      .extend(ExportFormat.shape)
      .strict(),
    columns: [
      'name',
      'digest',
      'tags',
      'platform',
      'repository',
      'namespace',
      'lastScanAt',
      'systemHigh',
      'systemMedium',
      'systemLow',
      'applicationHigh',
      'applicationMedium',
      'applicationLow',
      'maliciousUrgent',
      'maliciousWarning',
      'maliciousNotice',
      'notChecked',
      'advisoriesUpdatedAt',
    ],
    filename: () => 'images',
    pages: ({ format: _f, ...filter }, visible) =>
      (async function* () {
        for (let page = 1; ; page++) {
          const { items } = await findings.listImages({ ...filter, page, pageSize: 200, visible });
          yield items.map((i) => ({
            name: i.name,
            digest: i.digest,
            tags: i.tags,
            platform: i.platform,
            repository: i.repository,
            namespace: i.namespace,
            lastScanAt: i.lastScanAt,
            systemHigh: i.counts.system.high,
            systemMedium: i.counts.system.medium,
            systemLow: i.counts.system.low,
            applicationHigh: i.counts.application.high,
            applicationMedium: i.counts.application.medium,
            applicationLow: i.counts.application.low,
            maliciousUrgent: i.counts.malicious.urgent,
            maliciousWarning: i.counts.malicious.warning,
            maliciousNotice: i.counts.malicious.notice,
            // What the last scan could not look at (no advisories for the OS or an ecosystem…).
            notChecked: i.warnings.filter(isCoverageWarning).map((w) => w.message),
            advisoriesUpdatedAt: i.advisoryDb?.updatedAt ?? null,
          }));
          if (items.length < 200) return;
        }
      })(),
  });
};
