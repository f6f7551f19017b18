import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { shared } from '@drydock/test-data';
import { tarBuffer, writeDockerArchive, writeOciLayout } from '@drydock/test-data/build-image';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanError, scanImage } from '../src/index.ts';

const DEBIAN_OS = 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n';

let work: string;
let n = 0;
const fresh = async () => {
  const dir = path.join(work, `case-${n++}`);
  return dir;
};

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'drydock-malformed-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

async function expectScanError(input: string, code: string, message: RegExp) {
  const error = await scanImage(input).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ScanError);
  expect((error as ScanError).code).toBe(code);
  expect((error as ScanError).message).toMatch(message);
  // One line: what and where.
  expect((error as ScanError).message).not.toContain('\n');
}

const baseLayer = () =>
  tarBuffer([
    { path: 'etc', type: 'dir' },
    { path: 'etc/os-release', content: DEBIAN_OS },
    { path: 'usr/share/doc/readme', content: 'x'.repeat(3000) },
  ]);

describe('malformed images fail with a clear error and nothing crashes', () => {
  it('truncated gzip layer', async () => {
    const dir = await fresh();
    await writeOciLayout(dir, [{ tar: baseLayer() }], {
      tamper: { layerBlob: (_i, blob) => blob.subarray(0, Math.floor(blob.length / 2)) },
    });
    await expectScanError(
      dir,
      'corrupt_layer',
      /^layer 0 \(sha256:[0-9a-f]{64}\): corrupt gzip data \(unexpected end of file\)$/,
    );
  });

  it('truncated gzip-compressed archive (docker save | gzip)', async () => {
    const data = readFileSync(shared('images', 'alpine-311.tar.gz'));
    const file = path.join(work, 'truncated.tar.gz');
    await writeFile(file, data.subarray(0, data.length - 50_000));
    await expectScanError(
      file,
      'unrecognized_input',
      /truncated\.tar\.gz: corrupt gzip archive: unexpected end of file/,
    );
  });

  it('bad tar header inside a layer', async () => {
    const dir = await fresh();
    const tar = baseLayer();
    tar[512 + 10] = 0x41; // second header's name, without fixing the checksum
    await writeOciLayout(dir, [{ tar, compression: 'none' }]);
    await expectScanError(
      dir,
      'corrupt_layer',
      /layer 0 .*: invalid tar header \(checksum\) at byte 512/,
    );
  });

  it('a file that is not an image at all', async () => {
    const file = path.join(work, 'notes.txt');
    await writeFile(file, 'these are not the layers you are looking for\n'.repeat(40));
    await expectScanError(
      file,
      'unrecognized_input',
      /notes\.txt: invalid tar header \(checksum\) at byte 0/,
    );
  });

  it('a layer entry that climbs out with ../', async () => {
    const dir = await fresh();
    await writeOciLayout(dir, [
      {
        tar: tarBuffer([
          { path: 'etc/os-release', content: DEBIAN_OS },
          { path: '../../etc/cron.d/evil', content: '* * * * * root id' },
        ]),
      },
    ]);
    await expectScanError(
      dir,
      'unsafe_path',
      /layer 0 .*: entry '\.\.\/\.\.\/etc\/cron\.d\/evil' climbs out of the image root/,
    );
  });

  it('an absolute symlink pointing out of the image resolves inside the image root', async () => {
    const dir = await fresh();
    await writeOciLayout(dir, [
      {
        tar: tarBuffer([
          {
            path: 'etc/os-release',
            type: 'symlink',
            linkname: '/../../../../../../../etc/os-release-real',
          },
          { path: 'etc/os-release-real', content: 'ID=alpine\nVERSION_ID=3.19.1\n' },
          { path: 'etc/alpine-release', content: '3.19.1\n' },
        ]),
      },
    ]);
    const { report } = await scanImage(dir);
    // The host has no /etc/os-release-real; only the image's own file can have answered.
    expect(report.os).toMatchObject({
      family: 'alpine',
      version: '3.19.1',
      source: 'etc/os-release',
    });
  });

  it('a symlink loop is reported as a warning; the scan completes', async () => {
    const dir = await fresh();
    await writeOciLayout(dir, [
      {
        tar: tarBuffer([
          { path: 'etc/os-release', type: 'symlink', linkname: 'os-release.d/current' },
          { path: 'etc/os-release.d', type: 'symlink', linkname: '/etc/os-release' },
          {
            path: 'var/lib/dpkg/status',
            content: 'Package: a\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n',
          },
        ]),
      },
    ]);
    const { report } = await scanImage(dir);
    expect(report.warnings).toContainEqual(
      expect.objectContaining({
        code: 'symlink_loop',
        message: expect.stringMatching(/symlink loop/),
      }),
    );
    expect(report.packages.map((p) => p.name)).toEqual(['a']);
  });

  it('a layer blob whose digest does not match the manifest', async () => {
    const dir = await fresh();
    await writeOciLayout(dir, [{ tar: baseLayer() }], {
      // Same tar, compressed differently: valid gzip, same diffID, different blob digest.
      tamper: { layerBlob: () => zlib.gzipSync(baseLayer(), { level: 1 }) },
    });
    await expectScanError(
      dir,
      'digest_mismatch',
      /layer 0 .*: blob digest mismatch: manifest says sha256:[0-9a-f]{64}, content is sha256:[0-9a-f]{64}/,
    );
  });

  it('a layer whose content does not match the diffID in the config', async () => {
    const dir = await fresh();
    await writeOciLayout(dir, [{ tar: baseLayer() }], {
      tamper: { diffIds: (ids) => ids.map(() => `sha256:${'0'.repeat(64)}`) },
    });
    await expectScanError(
      dir,
      'digest_mismatch',
      /diffID mismatch: config says sha256:0{64}, uncompressed content is sha256:/,
    );
  });

  it('a docker archive whose config does not match its file name', async () => {
    const file = path.join(work, 'bad-config.tar');
    await writeDockerArchive(file, [baseLayer()]);
    const data = readFileSync(file);
    // Flip one character of the config's architecture field, then fix the tar header checksum.
    const at = data.indexOf('"amd64"');
    data.write('"AMD64"', at, 'latin1');
    await writeFile(file, data);
    await expectScanError(file, 'digest_mismatch', /config [0-9a-f]{64}\.json: digest mismatch/);
  });

  it('a manifest that points to a missing blob', async () => {
    const dir = await fresh();
    const second = tarBuffer([{ path: 'app/main.js', content: 'console.log(1)' }]);
    await writeOciLayout(dir, [{ tar: baseLayer() }, { tar: second }], {
      tamper: { skipLayerBlob: 1 },
    });
    await expectScanError(
      dir,
      'missing_blob',
      /'blobs\/sha256\/[0-9a-f]{64}' is referenced but not present/,
    );
  });

  it('a path that does not exist', async () => {
    await expectScanError(
      path.join(work, 'nope.tar'),
      'input_not_found',
      /nope\.tar: no such file or directory/,
    );
  });
});

describe('layer formats', () => {
  it.each(['gzip', 'zstd', 'none'] as const)(
    'reads %s layers, detected by magic bytes',
    async (compression) => {
      const dir = await fresh();
      await writeOciLayout(dir, [
        {
          tar: tarBuffer([
            { path: 'etc/os-release', content: DEBIAN_OS },
            {
              path: 'var/lib/dpkg/status',
              content:
                'Package: zlib1g\nStatus: install ok installed\nVersion: 1:1.2.13.dfsg-1\nSource: zlib\nArchitecture: amd64\n',
            },
          ]),
          compression,
        },
      ]);
      const { report } = await scanImage(dir);
      expect(report.layers[0]?.compression).toBe(compression);
      expect(report.packages).toMatchObject([
        { name: 'zlib1g', sourceName: 'zlib', version: '1:1.2.13.dfsg-1' },
      ]);
    },
  );
});

describe('docker-archive details', () => {
  it('takes tags from the legacy repositories file when manifest.json has none', async () => {
    const file = path.join(work, 'legacy-tags.tar');
    const layer = baseLayer();
    await writeDockerArchive(file, [layer]);
    // Rewrite the archive: RepoTags null in manifest.json, tags in `repositories`.
    const { TarParser } = await import('../src/tar/tar-parser.ts');
    const entries: { path: string; content: Buffer }[] = [];
    const parser = new TarParser((entry) => {
      const chunks: Buffer[] = [];
      return {
        data: (c) => chunks.push(Buffer.from(c)),
        end: () => entries.push({ path: entry.name, content: Buffer.concat(chunks) }),
      };
    });
    parser.write(readFileSync(file));
    parser.end();
    const rewritten = entries.map((e) => {
      if (e.path !== 'manifest.json') return e;
      const manifest = JSON.parse(e.content.toString()) as { RepoTags: unknown }[];
      for (const m of manifest) m.RepoTags = null;
      return { path: e.path, content: Buffer.from(JSON.stringify(manifest)) };
    });
    rewritten.push({
      path: 'repositories',
      content: Buffer.from(
        JSON.stringify({ 'registry.example/team/app': { '1.4.2': 'abc', latest: 'abc' } }),
      ),
    });
    await writeFile(file, tarBuffer(rewritten));
    const { report } = await scanImage(file);
    expect(report.target.repoTags).toEqual([
      'registry.example/team/app:1.4.2',
      'registry.example/team/app:latest',
    ]);
  });

  it('refuses a platform the single-platform archive does not have', async () => {
    await expect(
      scanImage(shared('images', 'go-binaries.tar'), { platform: 'linux/arm64' }),
    ).rejects.toThrow(/image is linux\/amd64; requested linux\/arm64/);
  });

  it('hardlinks share their target file; a dangling hardlink is harmless', async () => {
    const dir = await fresh();
    await writeOciLayout(dir, [
      {
        tar: tarBuffer([
          { path: 'usr/lib/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
          { path: 'etc/os-release', type: 'hardlink', linkname: 'usr/lib/os-release' },
          { path: 'opt/ghost', type: 'hardlink', linkname: 'does/not/exist' },
        ]),
      },
    ]);
    const { report } = await scanImage(dir);
    expect(report.os).toMatchObject({ family: 'debian', version: '12', source: 'etc/os-release' });
  });
});
