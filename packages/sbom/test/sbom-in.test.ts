import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ScanReport } from '@drydock/contract';
import { scanImage } from '@drydock/scanner';
import { shared } from '@drydock/test-data';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  readSbom,
  SbomError,
  toCycloneDx,
  toSpdx,
  validateCycloneDx,
  validateSpdx,
} from '../src/index.ts';

const fixture = (name: string) =>
  readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8');

describe('SBOMs written by other tools (Trivy’s test data, see fixtures/README.md)', () => {
  const expectMavenTestProject = (report: ScanReport) => {
    const [alpineLayer, appLayer] = [
      'sha256:dd565ff850e7003356e2b252758f9bdc1ff2803f61e995e24c7844f6297f8fc3',
      'sha256:3c79e832b1b4891a1cb4a326ef8524e0bd14a2537150ac0e203a5677176c1ca1',
    ];
    expect(report.layers.map((l) => l.diffId)).toEqual([alpineLayer, appLayer]);
    expect(report.os).toMatchObject({ family: 'alpine', version: '3.16.0' });
    expect(report.target.configDigest).toBe(
      'sha256:49193a2310dbad4c02382da87ac624a80a92387a4f7536235f9ba590e5bcd7b5',
    );
    const byName = new Map(report.packages.map((p) => [p.name, p]));
    expect(byName.get('musl')).toMatchObject({
      type: 'apk',
      version: '1.2.3-r0',
      sourceName: 'musl',
      layerIndex: 0,
      licenses: ['MIT'],
    });
    expect(byName.get('org.codehaus.mojo:child-project')).toMatchObject({
      type: 'maven',
      version: '1.0',
      layerIndex: 1,
      layerDiffId: appLayer,
    });
    expect(byName.get('bootstrap')).toMatchObject({ type: 'npm', version: '5.0.2' });
    expect(byName.get('pear/log')).toMatchObject({ type: 'composer', version: '1.13.1' });
    expect(byName.get('github.com/package-url/packageurl-go')).toMatchObject({ type: 'golang' });
    expect(report.packages).toHaveLength(6);
  };

  it('CycloneDX 1.5 from Trivy: packages by purl, the OS component, layers by DiffID, file paths', () => {
    const { format, tool, report } = readSbom(fixture('trivy-maven-test-project.cdx.json'));
    expect(format).toBe('cyclonedx');
    expect(tool).toBe('trivy dev');
    expectMavenTestProject(report);
    expect(report.target.repoTags).toEqual(['maven-test-project:latest']);
    expect(report.packages.find((p) => p.name === 'bootstrap')?.path).toBe('app/app/package.json');
  });

  it('SPDX 2.2 from Trivy (its DESCRIBE and attribution texts included)', () => {
    const { format, tool, report } = readSbom(fixture('trivy-maven-test-project.spdx.json'));
    expect(format).toBe('spdx');
    expect(tool).toBe('trivy');
    expectMavenTestProject(report);
    expect(report.target.repoTags).toEqual(['maven-test-project:latest', 'tmp-test:latest']);
  });
});

describe('an SPDX 2.3 SBOM by Syft (its snapshot test data, redactions and a bogus purl kept)', () => {
  it('reads the image by its checksum, the deb package with its CPE, and says which one it could not read', () => {
    const { format, tool, report } = readSbom(fixture('syft-image-encoder.spdx.json'));
    expect({ format, tool }).toEqual({ format: 'spdx', tool: 'syft-v0.42.0-bogus' });
    expect(report.target.manifestDigest).toBe(
      'sha256:2731251dc34951c0e50fcc643b4c5f74922dad1a5d98f302b504cf46cd5d9368',
    );
    expect(report.packages).toEqual([
      expect.objectContaining({
        name: 'package-2',
        version: '2.0.1',
        type: 'deb',
        cpe: 'cpe:2.3:*:some:package:2:*:*:*:*:*:*:*',
      }),
    ]);
    expect(report.warnings).toEqual([
      expect.objectContaining({
        code: 'sbom_skipped',
        message: expect.stringContaining('"a-purl-1" is not a package URL'),
      }),
    ]);
  });
});

describe('the specifications’ own example documents (see fixtures/README.md)', () => {
  it('SPDX 2.3 example: valid against the official schema; the purl-named package read, the others named in a warning', () => {
    const text = fixture('spdx-spec-example-v2.3.spdx.json');
    expect(validateSpdx(JSON.parse(text))).toBeNull();
    const { format, tool, report } = readSbom(text);
    expect(format).toBe('spdx');
    expect(tool).toBe('LicenseFind-1.0');
    // The document describes glibc (the root); Jena is the one package with a package URL.
    expect(report.target.input).toBe('glibc');
    expect(report.target.manifestDigest).toBe(
      'sha256:11b6d3ee554eedf79299905a98f9b9a04e498210b59f15094c916c91d150efcd',
    );
    expect(report.packages).toEqual([
      expect.objectContaining({
        type: 'maven',
        name: 'org.apache.jena:apache-jena',
        version: '3.12.0',
        purl: 'pkg:maven/org.apache.jena/apache-jena@3.12.0',
      }),
    ]);
    expect(report.warnings).toEqual([
      {
        code: 'sbom_unidentified',
        message:
          '2 packages without a package URL not matched against advisories: Apache Commons Lang, Saxon 8.8',
      },
    ]);
  });

  it('CycloneDX 1.6 valid-bom: valid against the official schema; hashes read, a self-dependency ignored, the purl-less library named', async () => {
    const text = fixture('cyclonedx-spec-valid-bom-1.6.json');
    expect(await validateCycloneDx(text)).toBeNull();
    const { report, tool } = readSbom(text);
    expect(tool).toBe('Awesome Tool 9.1.2');
    expect(report.packages).toHaveLength(1);
    expect(report.packages[0]).toMatchObject({
      type: 'npm',
      name: '@acme/component',
      version: '1.0.0',
      licenses: ['Apache-2.0'],
      hashes: [
        { alg: 'MD5', content: '3942447fac867ae5cdb3229b658f4d48' },
        { alg: 'SHA-1', content: 'e6b1000b94e835ffd37f4c6dcbdad43f4b48a02a' },
        {
          alg: 'SHA-256',
          content: 'f498a8ff2dd007e29c2074f5e4b01a9a01775c3ff3aeaf6906ea503bc5791b7b',
        },
        { alg: 'SHA-512', content: expect.stringMatching(/^e8f33e42[0-9a-f]{120}$/) },
      ],
    });
    expect(report.packages[0]?.dependsOn).toBeUndefined();
    expect(report.warnings).toEqual([
      expect.objectContaining({
        code: 'sbom_unidentified',
        message: expect.stringMatching(/1 package without a package URL .*: mylibrary 1\.0\.0$/),
      }),
    ]);
  });
});

describe('Drydock’s own SBOMs read back', () => {
  const reports = new Map<string, ScanReport>();
  beforeAll(async () => {
    for (const image of ['debian12-node-app.tar', 'alpine-311.tar.gz']) {
      reports.set(image, (await scanImage(shared('images', image))).report);
    }
  }, 120_000);
  const key = (p: ScanReport['packages'][number]) =>
    JSON.stringify([
      p.type,
      p.name,
      p.version,
      p.epoch,
      p.sourceName,
      p.purl,
      p.path,
      p.layerIndex,
      p.layerDiffId,
      [...(p.dependsOn ?? [])].sort(),
      p.hashes,
    ]);

  it.each(['debian12-node-app.tar', 'alpine-311.tar.gz'])(
    '%s: the same packages, layers, OS and digests from CycloneDX and from SPDX',
    (image) => {
      const original = reports.get(image) as ScanReport;
      const unique = [
        ...new Map(original.packages.map((p) => [`${p.purl}#${p.path}`, p])).values(),
      ];
      for (const text of [toCycloneDx(original), JSON.stringify(toSpdx(original))]) {
        const { report } = readSbom(text);
        expect(report.packages.map(key).sort()).toEqual(unique.map(key).sort());
        expect(report.layers.map((l) => l.diffId)).toEqual(original.layers.map((l) => l.diffId));
        expect(report.os).toMatchObject({
          family: original.os?.family,
          version: original.os?.version,
        });
        expect(report.target.configDigest).toBe(original.target.configDigest);
        expect(report.warnings).toEqual([]);
      }
    },
  );
});

describe('bad documents get a clear error: what, which field, which line', () => {
  it('not JSON: the line and column', () => {
    const text =
      '{\n  "bomFormat": "CycloneDX",\n  "specVersion": "1.6",\n  "components": [\n    {,}\n  ]\n}';
    expect(() => readSbom(text)).toThrow(SbomError);
    expect(() => readSbom(text)).toThrow(/not JSON: .*\(line 5, column 6\)/);
  });

  it('a field of the wrong type: its path and line', () => {
    const doc = JSON.parse(fixture('trivy-maven-test-project.cdx.json'));
    doc.components[3].name = 42;
    const text = JSON.stringify(doc, null, 2);
    const line = text.split('\n').findIndex((l) => l.includes('"name": 42')) + 1;
    expect(() => readSbom(text)).toThrow(`(at components[3].name, line ${line})`);
  });

  it('hostile nesting is an error of the document, not a crash', () => {
    const deep = `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[${'{"type":"library","name":"x","components":['.repeat(20000)}${']}'.repeat(20000)}]}`;
    expect(() => readSbom(deep)).toThrow(SbomError);
  });

  it('neither CycloneDX nor SPDX; an unknown ecosystem is counted, not dropped silently', () => {
    expect(() => readSbom('{"hello": "world"}')).toThrow(/neither bomFormat nor spdxVersion/);
    const doc = JSON.parse(fixture('trivy-maven-test-project.cdx.json'));
    doc.components.push({ type: 'library', name: 'x', version: '1', purl: 'pkg:bitbucket/a/x@1' });
    const { report } = readSbom(JSON.stringify(doc));
    expect(report.warnings).toEqual([
      expect.objectContaining({
        code: 'sbom_skipped',
        message: expect.stringMatching(/1 package of type "bitbucket" not read/),
      }),
    ]);
  });
});
