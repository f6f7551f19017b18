import { type ScanReport, ScanReportSchema } from '@drydock/contract';
import { shared, sharedJson } from '@drydock/test-data';
import { describe, expect, it } from 'vitest';
import { scanImage } from '../src/index.ts';

interface ExpectedLayer {
  index: number;
  diffID: string;
  digest?: string;
  size?: number;
  created_by?: string;
}
interface ExpectedDpkg {
  name: string;
  source: string;
  version: string;
  arch: string;
  file: string;
  layer: number;
}
interface ExpectedImage {
  os: { id: string; versionId: string; versionCodename?: string } | null;
  layers: ExpectedLayer[];
  packages: { dpkg?: ExpectedDpkg[] };
  repoTags?: string[] | null;
  manifestDigest?: string;
}

async function scan(name: string, platform?: string): Promise<ScanReport> {
  const result = await scanImage(shared('images', name), platform ? { platform } : {});
  // The report is the CLI's JSON contract: it must satisfy the shared schema.
  return ScanReportSchema.parse(result.report);
}

function expectLayers(report: ScanReport, expected: ExpectedLayer[]) {
  expect(report.layers.map((l) => l.index)).toEqual(expected.map((l) => l.index));
  for (const e of expected) {
    const layer = report.layers[e.index];
    expect(layer?.diffId).toBe(e.diffID);
    if (e.digest) expect(layer?.digest).toBe(e.digest);
    if (e.size !== undefined) expect(layer?.size).toBe(e.size);
    if (e.created_by) expect(layer?.createdBy).toBe(e.created_by);
  }
}

function expectDpkg(report: ScanReport, expected: ExpectedDpkg[]) {
  const actual = report.packages
    .filter((p) => p.type === 'deb')
    .map((p) => ({
      name: p.name,
      source: p.sourceName,
      version: p.version,
      arch: p.arch,
      file: p.path,
      layer: p.layerIndex,
      layerDiffId: p.layerDiffId,
    }));
  const wanted = expected.map((e) => ({
    name: e.name,
    source: e.source,
    version: e.version,
    arch: e.arch,
    file: e.file,
    layer: e.layer,
    layerDiffId: report.layers[e.layer]?.diffId,
  }));
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
  expect(actual.sort(byName)).toEqual(wanted.sort(byName));
}

describe('scanImage on real images (ground truth from the package managers)', () => {
  it('debian12-node-app: docker-archive tarball layout with gzip layers, manifest.json last', async () => {
    const expected = sharedJson<ExpectedImage>('images', 'debian12-node-app.expected.json');
    const report = await scan('debian12-node-app.tar');
    expect(report.target.format).toBe('docker-archive');
    expect(report.target.repoTags).toEqual(expected.repoTags);
    expect(report.os).toMatchObject({ family: 'debian', version: '12', codename: 'bookworm' });
    expectLayers(report, expected.layers);
    expect(report.layers.every((l) => l.compression === 'gzip')).toBe(true);
    expectDpkg(report, expected.packages.dpkg ?? []);
    expect(report.packages.filter((p) => p.type === 'deb')).toHaveLength(88);
    const apt = report.packages.find((p) => p.name === 'apt');
    expect(apt?.purl).toBe('pkg:deb/debian/apt@2.6.1?arch=amd64&distro=debian-12');
  });

  it('debian12-python-java: OCI archive; base packages stay in layer 0 though layer 1 rewrites the status file', async () => {
    const expected = sharedJson<ExpectedImage>('images', 'debian12-python-java.expected.json');
    const report = await scan('debian12-python-java.oci.tar');
    expect(report.target.format).toBe('oci-archive');
    expect(report.target.manifestDigest).toBe(expected.manifestDigest);
    expect(report.target.repoTags).toEqual(['drydock-test/debian12-python-java:latest']);
    expectLayers(report, expected.layers);
    expectDpkg(report, expected.packages.dpkg ?? []);
    const layers = report.packages.filter((p) => p.type === 'deb').map((p) => p.layerIndex);
    expect(layers.filter((l) => l === 0)).toHaveLength(88);
    expect(layers.filter((l) => l === 1)).toHaveLength(78);
  });

  it('malware-samples: classic docker save with uncompressed layers and distroless status.d', async () => {
    const expected = sharedJson<ExpectedImage>('images', 'malware-samples.expected.json');
    const report = await scan('malware-samples.tar');
    expectLayers(report, expected.layers);
    expect(report.layers.every((l) => l.compression === 'none')).toBe(true);
    expectDpkg(report, expected.packages.dpkg ?? []);
  });

  it('go-binaries: no OS and no OS package database is not an error', async () => {
    const expected = sharedJson<ExpectedImage>('images', 'go-binaries.expected.json');
    const report = await scan('go-binaries.tar');
    expect(report.os).toBeUndefined();
    expectLayers(report, expected.layers);
    expect(report.packages.filter((p) => ['deb', 'apk', 'rpm'].includes(p.type))).toEqual([]);
    expect(report.warnings).toEqual([]);
  });

  it('alpine-311: whole archive gzipped, apk packages with origin, as Trivy asserts', async () => {
    const expected = sharedJson<{
      repoTags: string[];
      layers: { diffID: string }[];
      packages: {
        apk: { name: string; version: string; srcName: string; arch: string; licenses: string[] }[];
      };
    }>('images', 'alpine-311.expected.json');
    const report = await scan('alpine-311.tar.gz');
    expect(report.target.repoTags).toEqual(expected.repoTags);
    expect(report.os).toMatchObject({ family: 'alpine', version: '3.11.5' });
    expect(report.layers.map((l) => l.diffId)).toEqual(expected.layers.map((l) => l.diffID));
    const actual = report.packages.map((p) => ({
      name: p.name,
      version: p.version,
      srcName: p.sourceName,
      arch: p.arch,
      licenses: p.licenses,
      layer: p.layerIndex,
    }));
    expect(actual).toEqual(
      expected.packages.apk
        .map((p) => ({
          name: p.name,
          version: p.version,
          srcName: p.srcName,
          arch: p.arch,
          licenses: p.licenses,
          layer: 0,
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
    expect(report.packages.find((p) => p.name === 'musl')?.purl).toBe(
      'pkg:apk/alpine/musl@1.1.24-r2?arch=x86_64&distro=3.11.5',
    );
  });

  describe('multiarch-oci: OCI layout directory with a nested image index', () => {
    const expected = sharedJson<{
      platforms: Record<string, ExpectedImage>;
    }>('images', 'multiarch-oci.expected.json');

    it('defaults to linux/amd64', async () => {
      const report = await scan('multiarch-oci');
      const amd64 = expected.platforms['linux/amd64'] as ExpectedImage;
      expect(report.target.format).toBe('oci-layout');
      expect(report.target.platform).toBe('linux/amd64');
      expect(report.target.manifestDigest).toBe(amd64.manifestDigest);
      expectLayers(report, amd64.layers);
      expectDpkg(report, amd64.packages.dpkg ?? []);
    });

    it('selects linux/arm64 (variant v8) on request', async () => {
      const report = await scan('multiarch-oci', 'linux/arm64');
      const arm64 = expected.platforms['linux/arm64'] as ExpectedImage;
      expect(report.target.platform).toBe('linux/arm64/v8');
      expectLayers(report, arm64.layers);
      expectDpkg(report, arm64.packages.dpkg ?? []);
      // Layer 0 is the same blob on both platforms.
      expect(report.layers[0]?.digest).toBe(expected.platforms['linux/amd64']?.layers[0]?.digest);
    });

    it('lists the available platforms when the wanted one is absent', async () => {
      await expect(
        scanImage(shared('images', 'multiarch-oci'), { platform: 'linux/s390x' }),
      ).rejects.toThrow(
        /no image for platform linux\/s390x; available: linux\/amd64, linux\/arm64\/v8/,
      );
    });
  });
});
