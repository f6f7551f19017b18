import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Package, ScanReport } from '@drydock/contract';
import { type TarEntrySpec, tarBuffer, writeOciLayout } from '@drydock/test-data/build-image';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goPackages, readGoBuildInfo } from '../src/analyzers/app/binary.ts';
import { scanImage } from '../src/index.ts';
import { elfWithSections } from './helpers/elf.ts';
import { pom, zipBuffer } from './helpers/zip.ts';

let work: string;
let n = 0;
beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'drydock-apps-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function scanLayers(
  layers: TarEntrySpec[][],
  options: Parameters<typeof scanImage>[1] = {},
): Promise<ScanReport> {
  const dir = path.join(work, `img-${n++}`);
  await writeOciLayout(
    dir,
    layers.map((entries) => ({ tar: tarBuffer(entries) })),
  );
  return (await scanImage(dir, options)).report;
}

const summary = (packages: Package[], type: Package['type']) =>
  packages
    .filter((p) => p.type === type)
    .map((p) => `${p.name}@${p.version}${p.declared ? ' (declared)' : ''} ${p.path}`)
    .sort();

describe('lock files and manifests (declared entries)', () => {
  it('npm: package-lock v1, yarn.lock (v1 and berry), pnpm-lock.yaml; deduplicated against installed', async () => {
    const report = await scanLayers([
      [
        {
          path: 'srv/app/node_modules/left-pad/package.json',
          content: '{"name":"left-pad","version":"1.3.0","license":"WTFPL"}',
        },
        {
          path: 'srv/app/package-lock.json',
          content: JSON.stringify({
            lockfileVersion: 1,
            dependencies: {
              'left-pad': { version: '1.3.0' },
              express: { version: '4.17.1', dependencies: { qs: { version: '6.7.0' } } },
            },
          }),
        },
        {
          path: 'srv/web/yarn.lock',
          content:
            '# yarn lockfile v1\n\n"@babel/core@^7.0.0", "@babel/core@^7.1.0":\n  version "7.22.5"\n  resolved "https://x"\n\nlodash@^4.17.0:\n  version "4.17.21"\n',
        },
        {
          path: 'srv/berry/yarn.lock',
          content:
            '__metadata:\n  version: 6\n\n"axios@npm:^0.21.1":\n  version: 0.21.1\n  resolution: "axios@npm:0.21.1"\n',
        },
        {
          path: 'srv/pnpm/pnpm-lock.yaml',
          content:
            "lockfileVersion: '6.0'\n\npackages:\n\n  /minimist@1.2.5:\n    resolution: {integrity: sha512-x}\n\n  /@types/node@20.1.0:\n    resolution: {integrity: sha512-y}\n",
        },
      ],
    ]);
    expect(summary(report.packages, 'npm')).toEqual([
      '@babel/core@7.22.5 (declared) srv/web/yarn.lock',
      '@types/node@20.1.0 (declared) srv/pnpm/pnpm-lock.yaml',
      'axios@0.21.1 (declared) srv/berry/yarn.lock',
      'express@4.17.1 (declared) srv/app/package-lock.json',
      'left-pad@1.3.0 srv/app/node_modules/left-pad/package.json',
      'lodash@4.17.21 (declared) srv/web/yarn.lock',
      'minimist@1.2.5 (declared) srv/pnpm/pnpm-lock.yaml',
      'qs@6.7.0 (declared) srv/app/package-lock.json',
    ]);
    expect(report.packages.find((p) => p.name === '@babel/core')?.purl).toBe(
      'pkg:npm/%40babel/core@7.22.5',
    );
  });

  it('Python: egg-info file, poetry.lock, Pipfile.lock, pinned requirements only; names as spelled', async () => {
    const report = await scanLayers([
      [
        {
          path: 'usr/lib/python3/site-packages/Flask_Cors.egg-info',
          content:
            'Metadata-Version: 1.1\r\nName: Flask_Cors\r\nVersion: 3.0.10\r\nLicense: MIT\r\n',
        },
        {
          path: 'app/poetry.lock',
          content:
            '[[package]]\nname = "Django"\nversion = "4.2.1"\n\n[package.dependencies]\nasgiref = ">=3.6"\n\n[[package]]\nname = "asgiref"\nversion = "3.7.2"\n\n[metadata]\nlock-version = "2.0"\n',
        },
        {
          path: 'app/Pipfile.lock',
          content: JSON.stringify({
            default: { requests: { version: '==2.31.0' } },
            develop: { pytest: { version: '==7.4.0' } },
          }),
        },
        {
          path: 'app/requirements-prod.txt',
          content:
            '# pinned\nurllib3==1.26.5\nPyJWT[crypto]==2.4.0 ; python_version >= "3.7"\nflask>=2.0\n-r base.txt\n',
        },
      ],
    ]);
    expect(summary(report.packages, 'pypi')).toEqual([
      'Django@4.2.1 (declared) app/poetry.lock',
      'Flask_Cors@3.0.10 usr/lib/python3/site-packages/Flask_Cors.egg-info',
      'PyJWT@2.4.0 (declared) app/requirements-prod.txt',
      'asgiref@3.7.2 (declared) app/poetry.lock',
      'pytest@7.4.0 (declared) app/Pipfile.lock',
      'requests@2.31.0 (declared) app/Pipfile.lock',
      'urllib3@1.26.5 (declared) app/requirements-prod.txt',
    ]);
  });

  it('Rust Cargo.lock, Ruby gemspecs and Gemfile.lock, PHP composer, .NET deps.json', async () => {
    const report = await scanLayers([
      [
        {
          path: 'src/Cargo.lock',
          content:
            'version = 3\n\n[[package]]\nname = "myapp"\nversion = "0.1.0"\n\n[[package]]\nname = "smallvec"\nversion = "1.6.0"\nsource = "registry+https://github.com/rust-lang/crates.io-index"\n',
        },
        {
          path: 'usr/local/bundle/specifications/rack-2.2.3.gemspec',
          content:
            '# -*- encoding: utf-8 -*-\nGem::Specification.new do |s|\n  s.name = "rack".freeze\n  s.version = "2.2.3"\nend\n',
        },
        {
          path: 'app/Gemfile.lock',
          content:
            'GEM\n  remote: https://rubygems.org/\n  specs:\n    nokogiri (1.15.4-x86_64-linux)\n      racc (~> 1.4)\n    racc (1.7.1)\n\nPLATFORMS\n  x86_64-linux\n',
        },
        {
          path: 'var/www/vendor/composer/installed.json',
          content: JSON.stringify({
            packages: [{ name: 'guzzlehttp/guzzle', version: '7.4.4', license: ['MIT'] }],
          }),
        },
        {
          path: 'var/www/composer.lock',
          content: JSON.stringify({
            packages: [{ name: 'guzzlehttp/guzzle', version: '7.4.4' }],
            'packages-dev': [{ name: 'phpunit/phpunit', version: '9.5.0' }],
          }),
        },
        {
          path: 'app/Api.deps.json',
          content: `\uFEFF${JSON.stringify({ libraries: { 'Api/1.0.0': { type: 'project' }, 'Newtonsoft.Json/13.0.1': { type: 'package' } } })}`,
        },
      ],
    ]);
    expect(summary(report.packages, 'cargo')).toEqual(['smallvec@1.6.0 (declared) src/Cargo.lock']);
    expect(summary(report.packages, 'gem')).toEqual([
      'nokogiri@1.15.4 (declared) app/Gemfile.lock',
      'racc@1.7.1 (declared) app/Gemfile.lock',
      'rack@2.2.3 usr/local/bundle/specifications/rack-2.2.3.gemspec',
    ]);
    expect(summary(report.packages, 'composer')).toEqual([
      'guzzlehttp/guzzle@7.4.4 var/www/vendor/composer/installed.json',
      'phpunit/phpunit@9.5.0 (declared) var/www/composer.lock',
    ]);
    // The application's own project entry too (as Syft lists it), beside its NuGet packages.
    expect(summary(report.packages, 'nuget')).toEqual([
      'Api@1.0.0 app/Api.deps.json',
      'Newtonsoft.Json@13.0.1 app/Api.deps.json',
    ]);
    expect(report.packages.find((p) => p.type === 'composer')?.purl).toBe(
      'pkg:composer/guzzlehttp/guzzle@7.4.4',
    );
  });
});

describe('Java archives', () => {
  it('shaded jars report every embedded pom.properties; nesting shows in the path', async () => {
    const inner = zipBuffer([
      pom('org.yaml', 'snakeyaml', '1.33'),
      { name: 'org/yaml/A.class', content: 'x' },
    ]);
    const shaded = zipBuffer([
      pom('com.example', 'service', '2.0.0'),
      pom('com.google.guava', 'guava', '31.1-jre'),
      { name: 'BOOT-INF/lib/snakeyaml-1.33.jar', content: inner, store: true },
    ]);
    const report = await scanLayers([[{ path: 'opt/service.jar', content: shaded }]]);
    expect(summary(report.packages, 'maven')).toEqual([
      'com.example:service@2.0.0 opt/service.jar',
      'com.google.guava:guava@31.1-jre opt/service.jar',
      'org.yaml:snakeyaml@1.33 opt/service.jar!/BOOT-INF/lib/snakeyaml-1.33.jar',
    ]);
  });

  it('bounds nesting depth and inflated bytes, and survives a truncated archive', async () => {
    let deep = zipBuffer([pom('g', 'level5', '1')]);
    for (let level = 4; level >= 0; level--) {
      deep = zipBuffer([
        pom('g', `level${level}`, '1'),
        { name: `lib/level${level + 1}.jar`, content: deep },
      ]);
    }
    const bomb = zipBuffer([
      pom('g', 'bomb', '1'),
      { name: 'lib/zeros.jar', content: Buffer.alloc(8 * 1024 * 1024) },
    ]);
    const truncated = zipBuffer([pom('g', 'cut', '1')]).subarray(0, 40);
    const report = await scanLayers(
      [
        [
          { path: 'opt/deep.jar', content: deep },
          { path: 'opt/bomb.jar', content: bomb },
          { path: 'opt/truncated.jar', content: truncated },
        ],
      ],
      { appLimits: { maxArchiveDepth: 3, maxInflatedBytes: 1024 * 1024 } },
    );
    expect(summary(report.packages, 'maven')).toEqual([
      'g:bomb@1 opt/bomb.jar',
      'g:level0@1 opt/deep.jar',
      'g:level1@1 opt/deep.jar!/lib/level1.jar',
      'g:level2@1 opt/deep.jar!/lib/level1.jar!/lib/level2.jar',
      'g:level3@1 opt/deep.jar!/lib/level1.jar!/lib/level2.jar!/lib/level3.jar',
    ]);
    const messages = report.warnings.map((w) => w.message);
    expect(messages).toContainEqual(
      expect.stringMatching(/level4\.jar: not opened, archives nested deeper than 3/),
    );
    expect(messages).toContainEqual(
      expect.stringMatching(/opt\/bomb\.jar!\/lib\/zeros\.jar: .*exceeds the inflate limit/),
    );
    expect(messages).toContainEqual(
      expect.stringMatching(/^opt\/truncated\.jar: java: not a zip archive/),
    );
    for (const w of report.warnings)
      expect(w).toMatchObject({
        code: 'app_metadata',
        layerIndex: 0,
        layerDiffId: report.layers[0]?.diffId,
      });
  });
});

describe('binaries', () => {
  it('Go build info honours replace directives and pseudo-versions', () => {
    const info = {
      goVersion: 'go1.22.3',
      modinfo: [
        'path\texample.com/cmd/tool',
        'mod\texample.com\tv1.2.3\th1:x=',
        'dep\tgithub.com/old/lib\tv1.0.0\th1:y=',
        '=>\tgithub.com/fork/lib\tv1.0.1-0.20240101000000-abcdef123456\th1:z=',
        'dep\tgithub.com/legacy/thing\tv2.0.0+incompatible\th1:w=',
        'dep\tgithub.com/local/mod\tv0.1.0',
        '=>\t../local-mod\t',
        'build\tGOOS=linux',
      ].join('\n'),
    };
    expect(goPackages(info, 'bin/tool').map((p) => `${p.name}@${p.version}`)).toEqual([
      'stdlib@1.22.3',
      'example.com@v1.2.3',
      'github.com/fork/lib@v1.0.1-0.20240101000000-abcdef123456',
      'github.com/legacy/thing@v2.0.0+incompatible',
      '../local-mod@(devel)',
    ]);
  });

  it('reads Go ≥ 1.18 build info from any executable format (inline strings)', () => {
    const version = 'go1.21.5';
    const mod = 'path\tx\nmod\tgithub.com/acme/win\tv0.3.0\th1:a=\n';
    const varint = (n: number) => Buffer.from([n]);
    const header = Buffer.alloc(32);
    header.write('\xff Go buildinf:', 0, 'latin1');
    header[14] = 8;
    header[15] = 2;
    // A PE-looking file: "MZ" header, padding, then the aligned build info blob.
    const data = Buffer.concat([
      Buffer.from('MZ'),
      Buffer.alloc(46),
      header,
      varint(version.length),
      Buffer.from(version),
      varint(mod.length),
      Buffer.from(mod),
    ]);
    const info = readGoBuildInfo(data, undefined);
    expect(info?.goVersion).toBe('go1.21.5');
    expect(
      goPackages(info as NonNullable<typeof info>, 'app.exe').map((p) => `${p.name}@${p.version}`),
    ).toEqual(['stdlib@1.21.5', 'github.com/acme/win@v0.3.0']);
  });

  it('reads the cargo-auditable dependency list of a Rust binary', async () => {
    const deps = zlib.deflateSync(
      Buffer.from(
        JSON.stringify({
          packages: [
            { name: 'tool', version: '0.1.0', source: 'local', root: true },
            { name: 'regex', version: '1.5.4', source: 'crates.io' },
            { name: 'cc', version: '1.0.79', source: 'crates.io', kind: 'build' },
          ],
        }),
      ),
    );
    const report = await scanLayers([
      [
        {
          path: 'usr/local/bin/tool',
          content: elfWithSections([{ name: '.dep-v0', data: deps }]),
          mode: 0o755,
        },
      ],
    ]);
    expect(summary(report.packages, 'cargo')).toEqual(['regex@1.5.4 usr/local/bin/tool']);
  });
});

describe('rules', () => {
  it('a package deleted by a later layer is gone; one owned by an OS package is left to the OS', async () => {
    const report = await scanLayers([
      [
        { path: 'etc/os-release', content: 'ID=debian\nVERSION_ID=12\n' },
        {
          path: 'var/lib/dpkg/status',
          content:
            'Package: node-semver\nStatus: install ok installed\nVersion: 7.3.8-1\nArchitecture: all\n',
        },
        {
          path: 'var/lib/dpkg/info/node-semver.list',
          content: '/usr/share/nodejs/semver/package.json\n/usr/share/nodejs/semver\n',
        },
        {
          path: 'usr/share/nodejs/node_modules/semver/package.json',
          content: '{"name":"semver","version":"7.3.8"}',
        },
        {
          path: 'usr/share/nodejs/semver/package.json',
          content: '{"name":"semver","version":"7.3.8"}',
        },
        {
          path: 'app/node_modules/debug/package.json',
          content: '{"name":"debug","version":"2.6.8"}',
        },
      ],
      [{ path: 'app/node_modules/.wh.debug', content: '' }],
    ]);
    // usr/share/nodejs/semver is dpkg's (node-semver); the node_modules copy is not in its list.
    expect(summary(report.packages, 'npm')).toEqual([
      'semver@7.3.8 usr/share/nodejs/node_modules/semver/package.json',
    ]);
  });

  it('malformed metadata becomes a warning with path and layer; the scan carries on', async () => {
    const report = await scanLayers(
      [
        [
          {
            path: 'app/node_modules/broken/package.json',
            content: '{"name": "broken", "version": ',
          },
          {
            path: 'app/node_modules/fine/package.json',
            content: '{"name":"fine","version":"1.0.0"}',
          },
          {
            path: 'app/site-packages/odd.dist-info/METADATA',
            content: Buffer.from('Metadata-Version: 2.1\nName: caf\xe9\nVersion: 1.0\n', 'latin1'),
          },
          {
            path: 'app/site-packages/empty.dist-info/METADATA',
            content: 'Metadata-Version: 2.1\n',
          },
          { path: 'app/huge/yarn.lock', content: 'x'.repeat(4096) },
        ],
      ],
      { appLimits: { maxFileSize: 2048 } },
    );
    expect(summary(report.packages, 'npm')).toEqual([
      'fine@1.0.0 app/node_modules/fine/package.json',
    ]);
    expect(summary(report.packages, 'pypi')).toEqual([
      'caf\ufffd@1.0 app/site-packages/odd.dist-info/METADATA',
    ]);
    const byPath = Object.fromEntries(report.warnings.map((w) => [w.path, w.message]));
    expect(byPath['app/node_modules/broken/package.json']).toMatch(/npm: .*JSON/);
    expect(byPath['app/site-packages/empty.dist-info/METADATA']).toMatch(
      /python: metadata without Name or Version/,
    );
    expect(byPath['app/huge/yarn.lock']).toMatch(
      /npm: skipped, 4096 bytes is over the 2048-byte limit/,
    );
  });
});
