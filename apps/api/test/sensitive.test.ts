import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  type ScanReport,
  SensitiveDetailSchema,
  SensitiveListSchema,
  SummarySchema,
} from '@drydock/contract';
import { persistScan } from '@drydock/db';
import { analyzeFile } from '@drydock/pipeline';
import { PLANTED, writePlantedSecretsImage } from '@drydock/test-data/planted-secrets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from './helpers/build-test-app.ts';

let t: TestApp;
let dir: string;
let report: ScanReport;
let imageId: string;
const prod = {
  instance: { name: 'prod', url: 'http://127.0.0.1:5000' },
  namespace: 'shop',
  repository: 'api',
  name: 'shop/api:1.0',
};

const list = async (query = '', inject = t.app.inject) => {
  const res = await inject({ method: 'GET', url: `/api/v1/sensitive?pageSize=100&${query}` });
  expect(res.statusCode, res.body.slice(0, 300)).toBe(200);
  return SensitiveListSchema.parse(res.json());
};

beforeAll(async () => {
  t = await buildTestApp();
  dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-api-sensitive-'));
  await writePlantedSecretsImage(path.join(dir, 'planted'));
  report = (
    await analyzeFile(path.join(dir, 'planted'), { sensitive: { secrets: true, config: true } })
  ).report;
  imageId = (await persistScan(t.prisma, prod, report)).imageId;
}, 120_000);
afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the sensitive-content tab', () => {
  it('lists one row per secret, check and ghost package, most urgent first, with filters', async () => {
    const all = await list();
    expect(all.total).toBe(new Set(report.sensitive?.map((f) => f.id)).size);
    expect(all.items[0]?.priority).toBe('high');
    const aws = all.items.find((i) => i.ruleId === 'aws-access-token');
    expect(aws).toMatchObject({
      kind: 'secret',
      preview: 'AKIA************MPLE',
      affectedImages: 1,
    });
    expect((await list('kind=config')).items.every((i) => i.kind === 'config')).toBe(true);
    expect((await list('priority=low')).items.every((i) => i.priority === 'low')).toBe(true);
    expect((await list('name=stripe')).items.map((i) => i.ruleId)).toEqual(['stripe-access-token']);
    expect((await list('repository=nothing-like-it')).total).toBe(0);
    const summary = SummarySchema.parse((await t.app.inject({ url: '/api/v1/summary' })).json());
    expect(summary.sensitive.total).toBe(all.total);
  });

  it('a row’s detail: fix, hash, where in the image (both layers of a deleted file), never the secret', async () => {
    const { items } = await list('name=aws');
    const id = items.find((i) => i.ruleId === 'aws-access-token')?.id as string;
    const res = await t.app.inject({ url: `/api/v1/sensitive/${id}` });
    expect(res.statusCode).toBe(200);
    const detail = SensitiveDetailSchema.parse(res.json());
    expect(detail.occurrences).toEqual([
      expect.objectContaining({
        location: 'app/.env',
        line: 1,
        layerIndex: 1,
        deletedInLayer: 2,
        deletedBy: 'RUN /bin/sh -c rm /app/.env # buildkit',
        status: 'open',
      }),
    ]);
    expect(detail.secretSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(detail.fix).toMatch(/Revoke/);
    const everything = JSON.stringify(
      (await t.app.inject({ url: '/api/v1/sensitive?pageSize=100' })).json(),
    );
    for (const secret of Object.values(PLANTED)) {
      expect(res.body).not.toContain(secret);
      expect(everything).not.toContain(secret);
    }
  });

  it('exports the tab as CSV with previews only', async () => {
    const res = await t.app.inject({ url: '/api/v1/sensitive/export?format=csv&kind=secret' });
    expect(res.statusCode).toBe(200);
    expect(res.body.split('\n')[0]).toMatch(/^id,kind,ruleId,title/);
    expect(res.body).toContain('AKIA************MPLE');
    for (const secret of Object.values(PLANTED)) expect(res.body).not.toContain(secret);
  });

  it('triage: ignore with a reason, kept when the image is scanned again', async () => {
    const root = (await list('kind=config')).items.find((i) => i.ruleId === 'config-root-user');
    expect(root?.ruleId).toBe('config-root-user');
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/v1/sensitive/${root?.id}/triage`,
      payload: {
        action: 'ignore',
        reason: 'runs in a rootless runtime',
        scope: { type: 'image', id: imageId },
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect((await list('status=ignored')).items.map((i) => i.id)).toEqual([root?.id]);
    await persistScan(t.prisma, prod, report);
    expect((await list('status=ignored')).items.map((i) => i.id)).toEqual([root?.id]);
    expect((await list()).items.some((i) => i.id === root?.id)).toBe(false);
    const detail = SensitiveDetailSchema.parse(
      (await t.app.inject({ url: `/api/v1/sensitive/${root?.id}` })).json(),
    );
    expect(detail.history[0]).toMatchObject({
      action: 'ignore',
      reason: 'runs in a rootless runtime',
    });
  });

  it('bulk triage by filter marks every matching row', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/triage/bulk',
      payload: {
        kind: 'sensitive',
        filter: { kind: ['secret'], name: 'slack' },
        triage: { action: 'handle', reason: 'rotated' },
      },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect((await list('status=handled')).items.map((i) => i.ruleId)).toEqual(['slack-bot-token']);
  });

  it('a secret that is gone from a rescan is resolved; it reopens if it comes back', async () => {
    const withoutGithub = {
      ...report,
      sensitive: report.sensitive?.filter((f) => f.ruleId !== 'github-pat'),
    };
    await persistScan(t.prisma, prod, withoutGithub);
    expect((await list('name=github')).total).toBe(0);
    expect((await list('status=resolved&name=github')).total).toBe(1);
    await persistScan(t.prisma, prod, report);
    expect((await list('name=github')).total).toBe(1);
  });

  it('is scoped: another namespace’s user sees none of it; bad ids are 400 problems', async () => {
    const other = await t.as('other-team', 'analyst', {
      namespaceIds: ['00000000-0000-4000-8000-000000000000'],
    });
    expect((await list('', other)).total).toBe(0);
    const id = (await list()).items[0]?.id;
    const hidden = await other({ method: 'GET', url: `/api/v1/sensitive/${id}` });
    expect(hidden.statusCode).toBe(404);
    const bad = await t.app.inject({ url: '/api/v1/sensitive/not-an-id' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/problem\+json/);
    const unknown = await t.app.inject({ url: '/api/v1/sensitive?kind=secrets' });
    expect(unknown.statusCode).toBe(400);
  });
});
