import type { ScanReport } from '@drydock/contract';
import { scanImage } from '@drydock/scanner';
import { shared } from '@drydock/test-data';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROP, toCycloneDx, toSpdx, validateCycloneDx, validateSpdx } from '../src/index.ts';

// Real inventories: Debian + npm (licenses, layers with Dockerfile steps), Python + Java (jars),
// Go binaries, Alpine 3.11.
const IMAGES = [
  'debian12-node-app.tar',
  'debian12-python-java.oci.tar',
  'go-binaries.tar',
  'alpine-311.tar.gz',
];
const reports = new Map<string, ScanReport>();
beforeAll(async () => {
  for (const image of IMAGES) {
    reports.set(image, (await scanImage(shared('images', image))).report);
  }
}, 180_000);

type CdxComponent = {
  'bom-ref': string;
  name: string;
  version?: string;
  purl?: string;
  cpe?: string;
  licenses?: { license?: { id?: string; name?: string }; expression?: string }[];
  properties?: { name: string; value: string }[];
};
const prop = (c: CdxComponent, name: string) => c.properties?.find((p) => p.name === name)?.value;

describe('CycloneDX 1.6 out', () => {
  it.each(IMAGES)(
    '%s: valid against the official schema, every package a component with its layer',
    async (image) => {
      const report = reports.get(image) as ScanReport;
      const json = toCycloneDx(report);
      expect(await validateCycloneDx(json)).toBeNull();
      const bom = JSON.parse(json);
      expect(bom.specVersion).toBe('1.6');
      // The image is the root component, by digest.
      expect(bom.metadata.component).toMatchObject({ type: 'container', 'bom-ref': 'image' });
      expect(bom.metadata.component.purl).toMatch(/^pkg:oci\//);
      const components = bom.components as CdxComponent[];
      const occurrences = new Set(report.packages.map((p) => `${p.purl}#${p.path}`));
      expect(components).toHaveLength(occurrences.size);
      for (const p of report.packages) {
        const c = components.find((x) => x['bom-ref'] === `${p.purl}#${p.path}`) as CdxComponent;
        expect(c.purl).toBe(p.purl);
        expect(prop(c, PROP.layerDiffId)).toBe(p.layerDiffId);
        expect(prop(c, PROP.layerIndex)).toBe(String(p.layerIndex));
        expect(prop(c, PROP.path)).toBe(p.path);
        if (p.cpe) expect(c.cpe).toBe(p.cpe);
      }
      // The image contains every component.
      const root = bom.dependencies.find((d: { ref: string }) => d.ref === 'image');
      expect(root.dependsOn).toHaveLength(occurrences.size);
    },
  );

  it('licenses: SPDX ids as ids, the rest by name; the Dockerfile step of each layer', async () => {
    const bom = JSON.parse(toCycloneDx(reports.get('debian12-node-app.tar') as ScanReport));
    const components = bom.components as CdxComponent[];
    const minimist = components.find((c) => c.name === 'minimist');
    expect(minimist?.licenses).toEqual([{ license: { id: 'MIT' } }]);
    expect(prop(minimist as CdxComponent, PROP.layerCreatedBy)).toMatch(/npm/);
    // A license that is no SPDX id (Python packages' classifiers) keeps its name.
    const py = JSON.parse(toCycloneDx(reports.get('debian12-python-java.oci.tar') as ScanReport));
    expect((py.components as CdxComponent[]).flatMap((c) => c.licenses ?? [])).toContainEqual({
      license: { name: 'Python Software Foundation License' },
    });
  });

  it('dependencies as the package managers record them, and hashes, in both formats', () => {
    const report = reports.get('debian12-node-app.tar') as ScanReport;
    const ref = (name: string, path?: string) => {
      const p = report.packages.find((q) => q.name === name && (!path || q.path === path));
      return `${p?.purl}#${p?.path}`;
    };
    const bom = JSON.parse(toCycloneDx(report));
    const deps = new Map<string, string[]>(
      bom.dependencies.map((d: { ref: string; dependsOn?: string[] }) => [
        d.ref,
        d.dependsOn ?? [],
      ]),
    );
    const express = ref('express');
    expect(deps.get(express)).toEqual(expect.arrayContaining([ref('body-parser'), ref('debug')]));
    expect(deps.get(ref('apt'))).toEqual(expect.arrayContaining([ref('libapt-pkg6.0')]));
    // send loads its own nested ms, debug the top-level one.
    expect(deps.get(ref('send'))).toContain(
      ref('ms', 'app/node_modules/send/node_modules/ms/package.json'),
    );
    expect(deps.get(ref('debug'))).toContain(ref('ms', 'app/node_modules/ms/package.json'));
    const withDeps = report.packages.filter((p) => p.dependsOn?.length);
    expect(withDeps.length).toBeGreaterThan(50);
    for (const p of withDeps)
      expect(deps.get(`${p.purl}#${p.path}`)).toHaveLength(p.dependsOn?.length ?? 0);
    const expressComponent = bom.components.find(
      (c: { 'bom-ref': string }) => c['bom-ref'] === express,
    );
    expect(expressComponent.hashes).toEqual([
      { alg: 'SHA-512', content: expect.stringMatching(/^[0-9a-f]{128}$/) },
    ]);

    const spdx = toSpdx(report);
    const idOf = new Map(
      spdx.packages.map((p) => [
        `${p.externalRefs[0]?.referenceLocator}#${p.annotations.find((a) => a.comment.startsWith(`${PROP.path}=`))?.comment.slice(PROP.path.length + 1)}`,
        p.SPDXID,
      ]),
    );
    const dependsOn = spdx.relationships.filter((r) => r.relationshipType === 'DEPENDS_ON');
    expect(dependsOn.length).toBe(withDeps.reduce((n, p) => n + (p.dependsOn?.length ?? 0), 0));
    expect(dependsOn).toContainEqual({
      spdxElementId: idOf.get(express),
      relationshipType: 'DEPENDS_ON',
      relatedSpdxElement: idOf.get(ref('body-parser')),
    });
    const expressPackage = spdx.packages.find((p) => p.SPDXID === idOf.get(express));
    expect(expressPackage?.checksums).toEqual([
      { algorithm: 'SHA512', checksumValue: expressComponent.hashes[0].content },
    ]);
  });

  it('a document the schema refuses is reported, not accepted', async () => {
    const bom = JSON.parse(toCycloneDx(reports.get('alpine-311.tar.gz') as ScanReport));
    bom.components[0].type = 'not-a-type';
    expect(await validateCycloneDx(JSON.stringify(bom))).not.toBeNull();
  });
});

describe('SPDX 2.3 out', () => {
  it.each(IMAGES)(
    '%s: valid against the official SPDX 2.3 schema; the image DESCRIBED, CONTAINS every package',
    (image) => {
      const report = reports.get(image) as ScanReport;
      const doc = toSpdx(report);
      expect(validateSpdx(doc)).toBeNull();
      const occurrences = new Set(report.packages.map((p) => `${p.purl}#${p.path}`));
      expect(doc.packages).toHaveLength(occurrences.size + 1);
      const contains = doc.relationships.filter((r) => r.relationshipType === 'CONTAINS');
      expect(contains).toHaveLength(occurrences.size);
      for (const p of doc.packages.slice(1)) {
        expect(p.externalRefs[0]).toMatchObject({ referenceType: 'purl' });
        expect(p.annotations.map((a) => a.comment)).toEqual(
          expect.arrayContaining([expect.stringMatching(/^drydock:layer:diffID=sha256:/)]),
        );
      }
    },
  );

  it('licenses SPDX does not know become defined LicenseRefs; broken documents are refused with the field', () => {
    const doc = toSpdx(reports.get('debian12-python-java.oci.tar') as ScanReport);
    const declared = doc.packages.map((p) => p.licenseDeclared);
    expect(declared).toContain('MIT');
    expect(doc.hasExtractedLicensingInfos).toContainEqual(
      expect.objectContaining({
        licenseId: 'LicenseRef-Python-Software-Foundation-License',
        name: 'Python Software Foundation License',
      }),
    );
    for (const ref of declared.flatMap((d) => d.match(/LicenseRef-[A-Za-z0-9.-]+/g) ?? [])) {
      expect(doc.hasExtractedLicensingInfos?.map((l) => l.licenseId)).toContain(ref);
    }
    const broken = structuredClone(doc) as unknown as {
      packages: { SPDXID: string }[];
      relationships: { relatedSpdxElement: string }[];
    };
    (broken.packages[1] as { SPDXID: string }).SPDXID = 'not an id';
    expect(validateSpdx(broken)?.[0]).toMatch(/^packages\.1\.SPDXID/);
    // The official schema's own rules: no unknown fields, enumerated purposes and checksums.
    const offSchema = structuredClone(doc) as unknown as Record<string, unknown> & {
      packages: Record<string, unknown>[];
    };
    offSchema.properties = [];
    (offSchema.packages[1] as Record<string, unknown>).primaryPackagePurpose = 'WIDGET';
    expect(validateSpdx(offSchema)).toEqual([
      '(document): must NOT have additional properties (properties) (SPDX 2.3 schema)',
      'packages.1.primaryPackagePurpose: must be equal to one of the allowed values (SPDX 2.3 schema)',
    ]);
    const dangling = structuredClone(doc);
    (dangling.relationships[1] as { relatedSpdxElement: string }).relatedSpdxElement =
      'SPDXRef-nowhere';
    expect(validateSpdx(dangling)).toEqual([
      'relationships.1: SPDXRef-nowhere is not an element of the document',
    ]);
  });
});
