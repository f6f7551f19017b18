import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { shared } from '@drydock/test-data';
import { tarBuffer, writeOciLayout } from '@drydock/test-data/build-image';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageFs, scanImage } from '../src/index.ts';

const status = (packages: [string, string][]) =>
  packages
    .map(
      ([name, version]) =>
        `Package: ${name}\nStatus: install ok installed\nVersion: ${version}\nArchitecture: amd64\n`,
    )
    .join('\n');

let work: string;
beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'drydock-fs-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('whiteouts and deleted files', () => {
  it('node-app: the whiteout of app/node_modules/ws removes it, and the removal is recorded', async () => {
    const { removedFiles } = await scanImage(shared('images', 'debian12-node-app.tar'));
    const ws = removedFiles.find((f) => f.path === 'app/node_modules/ws/package.json');
    expect(ws).toEqual({
      path: 'app/node_modules/ws/package.json',
      type: 'file',
      addedInLayer: 4,
      removedInLayer: 5,
      replaced: false,
    });
    // Files patched by layer 6 are recorded as replaced, not deleted.
    expect(removedFiles).toContainEqual(
      expect.objectContaining({
        path: 'app/node_modules/minimist/index.js',
        addedInLayer: 2,
        removedInLayer: 6,
        replaced: true,
      }),
    );
  });

  it('malware-samples: the dropper deleted in layer 6 still ships in layer 4', async () => {
    const { removedFiles } = await scanImage(shared('images', 'malware-samples.tar'));
    expect(removedFiles).toContainEqual(
      expect.objectContaining({
        path: 'tmp/.ICE-unix/.x/dropper.sh',
        addedInLayer: 4,
        removedInLayer: 6,
      }),
    );
  });

  it('an opaque directory hides everything lower layers put in it, but not its own layer', () => {
    const fs = new ImageFs();
    const layer = (
      entries: [string, string][],
      extra: { whiteouts?: string[]; opaqueDirs?: string[] } = {},
    ) => ({
      entries: new Map(
        entries.map(([p, c]) => [
          p,
          { path: p, type: 'file' as const, size: c.length, mode: 0o644, content: Buffer.from(c) },
        ]),
      ),
      whiteouts: extra.whiteouts ?? [],
      opaqueDirs: extra.opaqueDirs ?? [],
      digest: '',
      diffId: '',
      size: 0,
      compression: 'none' as const,
    });
    fs.applyLayer(
      0,
      layer([
        ['opt/a/old.txt', 'old'],
        ['opt/a/sub/deep.txt', 'deep'],
        ['opt/b.txt', 'b'],
      ]),
    );
    fs.applyLayer(
      1,
      layer([['opt/a/new.txt', 'new']], { opaqueDirs: ['opt/a'], whiteouts: ['opt/b.txt'] }),
    );
    expect(fs.readFile('opt/a/new.txt')?.toString()).toBe('new');
    expect(fs.lookup('opt/a/old.txt')).toBeUndefined();
    expect(fs.lookup('opt/a/sub/deep.txt')).toBeUndefined();
    expect(fs.lookup('opt/b.txt')).toBeUndefined();
    expect(fs.removed.map((r) => r.path).sort()).toEqual([
      'opt/a/old.txt',
      'opt/a/sub/deep.txt',
      'opt/b.txt',
    ]);
  });

  it('resolves relative, absolute and chained symlinks inside the root', () => {
    const fs = new ImageFs();
    fs.applyLayer(0, {
      entries: new Map([
        [
          'usr/lib/os-release',
          {
            path: 'usr/lib/os-release',
            type: 'file',
            size: 3,
            mode: 0o644,
            content: Buffer.from('ID='),
          },
        ],
        [
          'etc/os-release',
          {
            path: 'etc/os-release',
            type: 'symlink',
            size: 0,
            mode: 0o777,
            linkname: '../usr/lib/os-release',
          },
        ],
        ['lib', { path: 'lib', type: 'symlink', size: 0, mode: 0o777, linkname: 'usr/lib' }],
        [
          'escape',
          {
            path: 'escape',
            type: 'symlink',
            size: 0,
            mode: 0o777,
            linkname: '../../../../lib/os-release',
          },
        ],
      ]),
      whiteouts: [],
      opaqueDirs: [],
      digest: '',
      diffId: '',
      size: 0,
      compression: 'none',
    });
    expect(fs.readFile('etc/os-release')?.toString()).toBe('ID=');
    expect(fs.resolve('lib/os-release')?.path).toBe('usr/lib/os-release');
    expect(fs.resolve('escape')?.path).toBe('usr/lib/os-release');
    expect(fs.lookup('etc/os-release', false)?.type).toBe('symlink');
  });
});

describe('layer attribution', () => {
  it('a package keeps the layer that introduced its current version', async () => {
    const dir = path.join(work, 'attribution');
    const os = { path: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' };
    await writeOciLayout(dir, [
      {
        tar: tarBuffer([
          os,
          {
            path: 'var/lib/dpkg/status',
            content: status([
              ['libc6', '2.36-9'],
              ['curl', '7.88.1-10'],
            ]),
          },
        ]),
        createdBy: 'base',
      },
      {
        tar: tarBuffer([
          {
            path: 'var/lib/dpkg/status',
            content: status([
              ['libc6', '2.36-9'],
              ['curl', '7.88.1-10'],
              ['git', '2.39'],
            ]),
          },
        ]),
        createdBy: 'RUN apt-get install git',
      },
      {
        tar: tarBuffer([
          {
            path: 'var/lib/dpkg/status',
            content: status([
              ['libc6', '2.36-9+deb12u4'],
              ['curl', '7.88.1-10'],
              ['git', '2.39'],
            ]),
          },
        ]),
        createdBy: 'RUN apt-get upgrade',
      },
      {
        tar: tarBuffer([
          {
            path: 'var/lib/dpkg/status',
            content: status([
              ['libc6', '2.36-9+deb12u4'],
              ['git', '2.39'],
            ]),
          },
        ]),
        createdBy: 'RUN apt-get remove curl',
      },
      {
        tar: tarBuffer([
          {
            path: 'var/lib/dpkg/status',
            content: status([
              ['libc6', '2.36-9+deb12u4'],
              ['git', '2.39'],
              ['curl', '7.88.1-10'],
            ]),
          },
        ]),
        createdBy: 'RUN apt-get install curl',
      },
    ]);
    const { report } = await scanImage(dir);
    const layerOf = Object.fromEntries(report.packages.map((p) => [p.name, p.layerIndex]));
    expect(layerOf).toEqual({ git: 1, libc6: 2, curl: 4 });
    const curl = report.packages.find((p) => p.name === 'curl');
    expect(curl?.layerDiffId).toBe(report.layers[4]?.diffId);
    expect(report.layers[4]?.createdBy).toBe('RUN apt-get install curl');
  });
});
