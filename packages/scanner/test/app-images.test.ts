import { type Package, ScanReportSchema } from '@drydock/contract';
import { shared, sharedJson } from '@drydock/test-data';
import { describe, expect, it } from 'vitest';
import { scanImage } from '../src/index.ts';

const byKey = <T extends { name: string; version: string; path?: string }>(a: T, b: T) =>
  `${a.name}@${a.version}@${a.path ?? ''}`.localeCompare(`${b.name}@${b.version}@${b.path ?? ''}`);

async function scan(name: string) {
  const result = await scanImage(shared('images', name));
  return { ...result, report: ScanReportSchema.parse(result.report) };
}

const ofType = (packages: Package[], type: Package['type']) =>
  packages.filter((p) => p.type === type);

describe('application packages in real images (ground truth from npm, pip, maven, go)', () => {
  it('debian12-node-app: the installed npm tree, without the whited-out ws and without the root project', async () => {
    const expected = sharedJson<{
      packages: { npm: { name: string; version: string; file: string; layer: number }[] };
    }>('images', 'debian12-node-app.expected.json');
    const { report } = await scan('debian12-node-app.tar');
    const npm = ofType(report.packages, 'npm');
    expect(
      npm
        .map((p) => ({ name: p.name, version: p.version, path: p.path, layer: p.layerIndex }))
        .sort(byKey),
    ).toEqual(
      expected.packages.npm
        .map((p) => ({ name: p.name, version: p.version, path: p.file, layer: p.layer }))
        .sort(byKey),
    );
    expect(npm.find((p) => p.name === 'ws')).toBeUndefined();
    expect(npm.find((p) => p.name === 'drydock-demo-api')).toBeUndefined();
    // Nested copies are separate installations.
    expect(
      npm
        .filter((p) => p.name === 'ms')
        .map((p) => p.version)
        .sort(),
    ).toEqual(['2.0.0', '2.1.1', '2.1.3']);
    // Patched in layer 6, but the package (its package.json) came with layer 2.
    expect(npm.find((p) => p.name === 'minimist')).toMatchObject({
      version: '1.2.0',
      layerIndex: 2,
    });
    expect(npm.find((p) => p.name === 'lodash')).toMatchObject({
      purl: 'pkg:npm/lodash@4.17.15',
      licenses: ['MIT'],
      layerDiffId: report.layers[2]?.diffId,
    });
    // The lock file lists exactly what is installed: no declared leftovers.
    expect(npm.filter((p) => p.declared)).toEqual([]);
    expect(report.warnings).toEqual([]);
  });

  it('debian12-python-java: dpkg-owned Python and Java are left to the OS inventory', async () => {
    const expected = sharedJson<{
      packages: {
        python: {
          name: string;
          version: string;
          file: string;
          dpkgOwner: string | null;
          layer: number;
        }[];
        java: { archive: string; coordinates: string[]; dpkgOwner: string | null; layer: number }[];
      };
    }>('images', 'debian12-python-java.expected.json');
    const { report } = await scan('debian12-python-java.oci.tar');

    const pypi = ofType(report.packages, 'pypi');
    expect(
      pypi
        .map((p) => ({ name: p.name, version: p.version, path: p.path, layer: p.layerIndex }))
        .sort(byKey),
    ).toEqual(
      expected.packages.python
        .filter((p) => !p.dpkgOwner)
        .map((p) => ({ name: p.name, version: p.version, path: p.file, layer: p.layer }))
        .sort(byKey),
    );
    // Names as the projects spell them; the purl in its PEP 503 form.
    expect(pypi.find((p) => p.name === 'PyYAML')?.purl).toBe('pkg:pypi/pyyaml@6.0');
    // requests, urllib3, jinja2… are Debian's (python3-requests): not a second, PyPI copy.
    expect(pypi.find((p) => p.name === 'requests')).toBeUndefined();

    const maven = ofType(report.packages, 'maven');
    const fromPom = expected.packages.java
      .filter((j) => !j.dpkgOwner)
      .flatMap((j) =>
        j.coordinates.map((c) => ({ coordinate: c, path: j.archive, layer: j.layer })),
      );
    const actual = maven.map((p) => ({
      coordinate: `${p.name}:${p.version}`,
      path: p.path,
      layer: p.layerIndex,
    }));
    // Every pom.properties coordinate, plus log4j found by MANIFEST.MF and file name.
    expect(actual.sort((a, b) => a.path.localeCompare(b.path))).toEqual(
      [
        ...fromPom,
        {
          coordinate: 'log4j:log4j:1.2.17',
          path: 'opt/app/app.war!/WEB-INF/lib/log4j-1.2.17.jar',
          layer: 3,
        },
      ].sort((a, b) => a.path.localeCompare(b.path)),
    );
    expect(maven.find((p) => p.name === 'com.fasterxml.jackson.core:jackson-databind')?.purl).toBe(
      'pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.14.0',
    );
    // Debian's own jars (usr/share/java) are dpkg-owned: none reported as Maven packages.
    expect(maven.filter((p) => p.path.startsWith('usr/'))).toEqual([]);
  });

  it('go-binaries: toolchain as stdlib, main modules and dependencies, pre-1.18 layout included', async () => {
    const expected = sharedJson<{
      packages: {
        go: {
          file: string;
          goVersion: string;
          main: { path: string; version: string } | null;
          deps: { path: string; version: string }[];
          layer: number;
        }[];
      };
    }>('images', 'go-binaries.expected.json');
    const { report } = await scan('go-binaries.tar');
    const golang = ofType(report.packages, 'golang');
    const want = expected.packages.go.flatMap((b) => [
      { name: 'stdlib', version: b.goVersion.replace(/^go/, ''), path: b.file, layer: b.layer },
      ...(b.main
        ? [{ name: b.main.path, version: b.main.version, path: b.file, layer: b.layer }]
        : []),
      ...b.deps.map((d) => ({ name: d.path, version: d.version, path: b.file, layer: b.layer })),
    ]);
    expect(
      golang
        .map((p) => ({ name: p.name, version: p.version, path: p.path, layer: p.layerIndex }))
        .sort(byKey),
    ).toEqual(want.sort(byKey));
    expect(
      golang
        .filter((p) => p.name === 'stdlib')
        .map((p) => p.version)
        .sort(),
    ).toEqual(['1.16.3', '1.19.8', '1.21.1']);
    expect(golang.find((p) => p.path === 'usr/local/bin/fzf-tmux')).toBeUndefined();
    expect(golang.find((p) => p.name === 'golang.org/x/sys')?.purl).toBe(
      'pkg:golang/golang.org/x/sys@v0.0.0-20200501145240-bc7a7d42d5c3',
    );
  });

  it('multiarch-oci: npm package in the shared layer on both platforms', async () => {
    for (const platform of ['linux/amd64', 'linux/arm64']) {
      const { report } = await scanImage(shared('images', 'multiarch-oci'), { platform });
      expect(ofType(report.packages, 'npm')).toMatchObject([
        { name: 'minimist', version: '1.2.5', layerIndex: 0 },
      ]);
    }
  });
});
