import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { shared, sharedJson } from '@drydock/test-data';
import { tarBuffer, writeOciLayout } from '@drydock/test-data/build-image';
import { afterAll, describe, expect, it } from 'vitest';
import { detectRpmDb, rpmHeaderBlobs } from '../src/analyzers/rpm/databases.ts';
import { rpmPackageFromHeader } from '../src/analyzers/rpm/header.ts';
import { scanImage } from '../src/index.ts';

interface ExpectedRpm {
  epoch: number | null;
  name: string;
  version: string;
  release: string;
  arch: string;
  sourceRpm: string;
  size: number;
  license: string;
  vendor: string;
}

const DATABASES = [
  ['libuuid', 'Packages', 'bdb'],
  ['cbl-mariner-2.0', 'rpmdb.sqlite', 'sqlite'],
  ['amazonlinux2023-plain', 'rpmdb.sqlite', 'sqlite'],
  ['sle15-bci', 'Packages.db', 'ndb'],
] as const;

describe('rpm databases (real files, ground truth from rpm -qa)', () => {
  it.each(DATABASES)(
    '%s: %s (%s) yields exactly the packages rpm lists',
    async (dir, file, format) => {
      const data = readFileSync(shared('fixtures', 'rpmdb', dir, file));
      expect(detectRpmDb(data)).toBe(format);
      const expected = sharedJson<{ count: number; packages: ExpectedRpm[] }>(
        'fixtures',
        'rpmdb',
        dir,
        'expected.json',
      );
      const actual = (await rpmHeaderBlobs(data))
        .map((blob) => rpmPackageFromHeader(blob))
        .filter((p) => p !== undefined)
        .map((p) => ({
          epoch: p.epoch ?? null,
          name: p.name,
          version: p.version,
          release: p.release,
          arch: p.arch ?? '',
          sourceRpm: p.sourceRpm ?? '',
          size: p.size,
          license: p.license,
          vendor: p.vendor ?? '',
        }));
      const key = (p: { name: string; version: string; release: string; arch: string }) =>
        `${p.name}-${p.version}-${p.release}.${p.arch}`;
      const want = expected.packages.map((p) => ({
        epoch: p.epoch,
        name: p.name,
        version: p.version,
        release: p.release,
        arch: p.arch ?? '',
        // rpm prints "(none)" for an absent tag (upstream's query had no conditional for it).
        sourceRpm: p.sourceRpm === '(none)' ? '' : (p.sourceRpm ?? ''),
        size: p.size,
        license: p.license,
        vendor: p.vendor ?? '',
      }));
      expect(actual.length).toBe(expected.count);
      expect(actual.sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
        want.sort((a, b) => key(a).localeCompare(key(b))),
      );
    },
  );

  it('reads the files a package owns (curl on CBL-Mariner, as go-rpmdb asserts)', async () => {
    const data = readFileSync(shared('fixtures', 'rpmdb', 'cbl-mariner-2.0', 'rpmdb.sqlite'));
    const curl = (await rpmHeaderBlobs(data))
      .map((b) => rpmPackageFromHeader(b))
      .find((p) => p?.name === 'curl');
    expect(curl?.files).toEqual(
      sharedJson('fixtures', 'rpmdb', 'cbl-mariner-2.0', 'curl_file_names.json'),
    );
  });

  it('rejects damaged databases with a reason instead of crashing', async () => {
    const data = Buffer.from(readFileSync(shared('fixtures', 'rpmdb', 'sle15-bci', 'Packages.db')));
    data.write('XXXX', 32, 'latin1');
    await expect(rpmHeaderBlobs(data)).rejects.toThrow(/ndb slot 0 is damaged/);
    await expect(rpmHeaderBlobs(Buffer.from('not a database at all, really not'))).rejects.toThrow(
      /unknown rpm database format/,
    );
  });
});

describe('rpm packages in an image', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('inventories an Amazon Linux 2023 image with source rpm, epoch and owned files', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'drydock-rpm-'));
    dirs.push(dir);
    const osRelease = 'NAME="Amazon Linux"\nVERSION="2023"\nID="amzn"\nVERSION_ID="2023"\n';
    await writeOciLayout(dir, [
      {
        tar: tarBuffer([
          { path: 'usr/lib/os-release', content: osRelease },
          { path: 'etc/os-release', type: 'symlink', linkname: '../usr/lib/os-release' },
          {
            path: 'var/lib/rpm/rpmdb.sqlite',
            content: readFileSync(
              shared('fixtures', 'rpmdb', 'amazonlinux2023-plain', 'rpmdb.sqlite'),
            ),
          },
        ]),
      },
    ]);
    const { report, packages } = await scanImage(dir);
    expect(report.os).toMatchObject({ family: 'amazon', version: '2023' });
    // rpm -qa lists the imported signing key as gpg-pubkey; it is not software.
    expect(packages.filter((p) => p.type === 'rpm')).toHaveLength(102);
    const alternatives = packages.find((p) => p.name === 'alternatives');
    expect(alternatives).toMatchObject({
      version: '1.15-2.amzn2023.0.2',
      sourceName: 'chkconfig',
      sourceVersion: '1.15-2.amzn2023.0.2',
      arch: 'x86_64',
      path: 'var/lib/rpm/rpmdb.sqlite',
      layerIndex: 0,
      purl: 'pkg:rpm/amazon/alternatives@1.15-2.amzn2023.0.2?arch=x86_64&distro=amazon-2023',
    });
    expect(alternatives?.ownedFiles).toContain('usr/sbin/alternatives');
    const withEpoch = packages.find((p) => p.epoch !== undefined && p.epoch > 0);
    expect(withEpoch?.purl).toMatch(/&epoch=\d+/);
  });
});
