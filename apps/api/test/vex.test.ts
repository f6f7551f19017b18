import { importAdvisories } from '@drydock/advisories';
import { type ScanReport, VexImportedSchema } from '@drydock/contract';
import { PgAdvisoryStore } from '@drydock/db';
import { validateCycloneDx } from '@drydock/sbom';
import { scanImage } from '@drydock/scanner';
import { shared } from '@drydock/test-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from './helpers/build-test-app.ts';

let t: TestApp;
let node: ScanReport;
let imageA: string;
let imageB: string;

beforeAll(async () => {
  t = await buildTestApp();
  await importAdvisories(new PgAdvisoryStore(t.prisma), shared('advisories', 'osv', 'npm'));
  node = (await scanImage(shared('images', 'debian12-node-app.tar'))).report;
  const push = async (name: string, digest: string) =>
    (
      await t.app.inject({
        method: 'POST',
        url: `/api/v1/reports?name=${name}`,
        payload: { ...node, target: { ...node.target, manifestDigest: digest } },
      })
    ).json().imageId as string;
  imageA = await push('shop/node-app:1', `sha256:${'a'.repeat(64)}`);
  imageB = await push('staging/node-app:1', `sha256:${'b'.repeat(64)}`);
}, 240_000);
afterAll(async () => {
  await t?.close();
});

const triage = (vuln: string, body: object) =>
  t.app.inject({ method: 'POST', url: `/api/v1/vulnerabilities/${vuln}/triage`, payload: body });
const state = async () =>
  (
    await t.prisma.finding.findMany({
      where: { category: 'application' },
      select: {
        vulnerabilityId: true,
        imageId: true,
        purl: true,
        status: true,
        triageDecision: true,
        triageJustification: true,
        ignoreExpiresAt: true,
      },
    })
  )
    .map((f) => JSON.stringify(f))
    .sort();
const importVex = (body: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/vex',
    headers: { 'content-type': 'application/json' },
    payload: body,
  });

describe('VEX', () => {
  it('out: decisions as OpenVEX and CycloneDX VEX, signed off by who decided; read back: the same triage', async () => {
    const until = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const decisions = [
      [
        'CVE-2021-44906',
        {
          decision: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
          reason: 'argv parsing is never reached',
        },
      ],
      ['CVE-2020-7598', { decision: 'accepted_risk', expiresAt: until, reason: 'internal tool' }],
    ] as const;
    for (const [vuln, d] of decisions) {
      const res = await triage(vuln, {
        action: 'ignore',
        scope: { type: 'image', id: imageA },
        ...d,
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().changed).toBeGreaterThan(0);
    }
    const decided = await state();

    const openvex = await t.app.inject({ method: 'GET', url: `/api/v1/vex?imageId=${imageA}` });
    expect(openvex.statusCode).toBe(200);
    const doc = JSON.parse(openvex.body);
    expect(doc['@context']).toBe('https://openvex.dev/ns/v0.2.0');
    const na = doc.statements.find(
      (s: { vulnerability: { name: string } }) => s.vulnerability.name === 'CVE-2021-44906',
    );
    expect(na).toMatchObject({
      status: 'not_affected',
      justification: 'vulnerable_code_not_in_execute_path',
      impact_statement: 'argv parsing is never reached',
      products: [{ '@id': expect.stringMatching(/^pkg:oci\/node-app@sha256%3Aa{64}/) }],
    });
    expect(na.products[0].subcomponents).toContainEqual({
      '@id': expect.stringMatching(/^pkg:npm\/minimist@/),
    });
    expect(na.status_notes).toMatch(/^Decided by admin/);
    const risk = doc.statements.find(
      (s: { vulnerability: { name: string } }) => s.vulnerability.name === 'CVE-2020-7598',
    );
    expect(risk).toMatchObject({
      status: 'affected',
      action_statement: expect.stringMatching(/^Risk accepted until /),
    });

    const cdx = await t.app.inject({ method: 'GET', url: '/api/v1/vex?format=cyclonedx' });
    expect(await validateCycloneDx(cdx.body)).toBeNull();
    const bom = JSON.parse(cdx.body);
    expect(
      bom.vulnerabilities.find((v: { id: string }) => v.id === 'CVE-2021-44906').analysis,
    ).toMatchObject({
      state: 'not_affected',
      justification: 'code_not_reachable',
    });

    // Read back after the decisions are undone: the same triage, from either format.
    for (const body of [openvex.body, cdx.body]) {
      for (const [vuln] of decisions) await triage(vuln, { action: 'unignore' });
      expect(await state()).not.toEqual(decided);
      const res = await importVex(body);
      expect(res.statusCode, res.body).toBe(200);
      const read = VexImportedSchema.parse(res.json());
      expect(read).toMatchObject({ applied: 2, conflicts: [], unmatched: [] });
      expect(await state()).toEqual(decided);
    }
  });

  it('in: OpenVEX by a vendor about a package; CSAF VEX; conflicts shown and not applied; statuses', async () => {
    const minimist = node.packages.find((p) => p.name === 'minimist')?.purl as string;
    const openvex = {
      '@context': 'https://openvex.dev/ns/v0.2.0',
      '@id': 'https://vendor.example/vex/1',
      author: 'Vendor PSIRT',
      timestamp: '2026-12-01T00:00:00Z',
      version: 1,
      statements: [
        // About a package, wherever it is: every image with it.
        {
          vulnerability: { name: 'CVE-2021-44906' },
          products: [{ '@id': minimist }],
          status: 'not_affected',
          justification: 'inline_mitigations_already_exist',
          impact_statement: 'patched in our fork',
        },
        {
          vulnerability: { name: 'CVE-2020-7598' },
          products: [{ '@id': `pkg:oci/node-app@sha256:${'b'.repeat(64)}` }],
          status: 'under_investigation',
        },
        // Two statements that disagree about one product: neither is applied.
        {
          vulnerability: { name: 'CVE-2022-23529' },
          products: [{ '@id': `sha256:${'b'.repeat(64)}` }],
          status: 'not_affected',
          justification: 'component_not_present',
        },
        {
          vulnerability: { name: 'CVE-2022-23529' },
          products: [{ '@id': `sha256:${'b'.repeat(64)}` }],
          status: 'affected',
        },
        {
          vulnerability: { name: 'CVE-1999-0001' },
          products: [{ '@id': minimist }],
          status: 'not_affected',
          justification: 'component_not_present',
        },
      ],
    };
    const res = await importVex(JSON.stringify(openvex));
    expect(res.statusCode, res.body).toBe(200);
    const read = VexImportedSchema.parse(res.json());
    expect(read).toMatchObject({
      format: 'openvex',
      author: 'Vendor PSIRT',
      statements: 5,
      applied: 1,
      recorded: 1,
    });
    expect(read.conflicts).toEqual([
      expect.objectContaining({
        vulnerability: 'CVE-2022-23529',
        statuses: ['not_affected', 'affected'],
        where: ['statements[2]', 'statements[3]'],
      }),
    ]);
    expect(read.unmatched).toEqual([expect.objectContaining({ where: 'statements[4]' })]);
    const inB = await t.prisma.finding.findMany({
      where: { imageId: imageB, vulnerabilityId: 'CVE-2021-44906' },
    });
    expect(
      inB.every(
        (f) =>
          f.status === 'ignored' && f.triageJustification === 'inline_mitigations_already_exist',
      ),
    ).toBe(true);
    expect(
      await t.prisma.finding.count({
        where: { imageId: imageB, vulnerabilityId: 'CVE-2022-23529', status: 'open' },
      }),
    ).toBeGreaterThan(0);
    const history = (
      await t.app.inject({ method: 'GET', url: '/api/v1/vulnerabilities/CVE-2020-7598' })
    ).json().history;
    expect(history[0]).toMatchObject({
      action: 'vex_under_investigation',
      reason: expect.stringMatching(
        /^VEX openvex https:\/\/vendor.example\/vex\/1 by Vendor PSIRT/,
      ),
    });

    // CSAF 2.0 VEX: the image as the product, the package a component of it.
    const csaf = {
      document: {
        category: 'csaf_vex',
        csaf_version: '2.0',
        publisher: { name: 'Example PSIRT' },
        tracking: { id: 'EX-2026-1' },
      },
      product_tree: {
        full_product_names: [
          {
            product_id: 'IMG',
            name: 'staging/node-app',
            product_identification_helper: { purl: `pkg:oci/node-app@sha256:${'b'.repeat(64)}` },
          },
          {
            product_id: 'JWT',
            name: 'jsonwebtoken',
            product_identification_helper: {
              purl: node.packages.find((p) => p.name === 'jsonwebtoken')?.purl,
            },
          },
        ],
        relationships: [
          {
            category: 'default_component_of',
            product_reference: 'JWT',
            relates_to_product_reference: 'IMG',
            full_product_name: { product_id: 'IMG:JWT', name: 'jsonwebtoken in staging/node-app' },
          },
        ],
      },
      vulnerabilities: [
        {
          cve: 'CVE-2022-23529',
          product_status: { known_not_affected: ['IMG:JWT'] },
          flags: [{ label: 'vulnerable_code_not_in_execute_path', product_ids: ['IMG:JWT'] }],
          threats: [
            {
              category: 'impact',
              details: 'jwt.verify is never called with untrusted keys',
              product_ids: ['IMG:JWT'],
            },
          ],
        },
      ],
    };
    const fromCsaf = VexImportedSchema.parse((await importVex(JSON.stringify(csaf))).json());
    expect(fromCsaf).toMatchObject({
      format: 'csaf',
      author: 'Example PSIRT',
      documentId: 'EX-2026-1',
      applied: 1,
    });
    const jwt = await t.prisma.finding.findMany({
      where: { imageId: imageB, vulnerabilityId: 'CVE-2022-23529' },
    });
    expect(jwt.every((f) => f.status === 'ignored' && f.triageDecision === 'not_affected')).toBe(
      true,
    );
    // Not JSON VEX: a 422 problem naming where.
    const bad = await importVex(
      '{"@context": "https://openvex.dev/ns/v0.2.0", "statements": [{"status": "nope"}]}',
    );
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ code: 'invalid_vex' });
  });
});
