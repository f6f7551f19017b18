import { Readable } from 'node:stream';
import { ListSamplesQuerySchema, ListVulnerabilitiesQuerySchema } from '@drydock/contract';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { principalOf } from '../../auth/auth-plugin.ts';
import type { Visibility } from '../../auth/permissions.ts';
import type { FindingsService } from './findings-service.ts';

const csvCell = (v: unknown) => {
  const text = Array.isArray(v) ? v.join(' ') : v === null || v === undefined ? '' : String(v);
  // Quote always; neutralise spreadsheet formulas.
  return `"${(/^[=+\-@\t\r]/.test(text) ? `'${text}` : text).replace(/"/g, '""')}"`;
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
          for (const row of rows) {
            if (format === 'csv') yield `${columns.map((c) => csvCell(row[c])).join(',')}\n`;
            else {
              yield `${first ? '' : ','}\n${JSON.stringify(row)}`;
              first = false;
            }
          }
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
    page: (q: Q, page: number, visible: Visibility) => Promise<{ items: unknown[] }>;
  }) {
    app.get(
      options.url,
      {
        config: { permission: 'read' },
        schema: { tags, operationId: options.operationId, querystring: options.querystring },
      },
      async (request, reply) => {
        const q = request.query as Q;
        async function* pages() {
          for (let page = 1; ; page++) {
            const { items } = await options.page(q, page, principalOf(request).visible);
            yield items as Record<string, unknown>[];
            if (items.length < 200) return;
          }
        }
        reply
          .type(q.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json')
          .header(
            'content-disposition',
            `attachment; filename="${options.filename(q)}.${q.format}"`,
          );
        return reply.send(streamRows(q.format, options.columns, pages()));
      },
    );
  }

  exportRoute({
    url: '/api/v1/vulnerabilities/export',
    operationId: 'exportVulnerabilities',
    querystring: ListVulnerabilitiesQuerySchema.omit({ page: true, pageSize: true })
      .extend(ExportFormat.shape)
      .strict(),
    columns: [
      'id',
      'title',
      'severity',
      'priority',
      'tags',
      'affectedImages',
      'affectedPackages',
      'lastScanAt',
    ],
    filename: (q) => `vulnerabilities-${q.category}`,
    page: ({ format: _f, ...filter }, page, visible) =>
      findings.listVulnerabilities({ ...filter, page, pageSize: 200, visible }),
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
    page: ({ format: _f, ...filter }, page, visible) =>
      findings.listSamples({ ...filter, page, pageSize: 200, visible }),
  });
};
