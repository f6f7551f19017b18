import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import zlib from 'node:zlib';

/** Test image builder: real tar bytes, real digests, written as OCI layouts or docker archives. */
export interface TarEntrySpec {
  path: string;
  type?: 'file' | 'dir' | 'symlink' | 'hardlink';
  content?: Buffer | string;
  linkname?: string;
  mode?: number;
}

function octal(value: number, length: number): string {
  return `${value.toString(8).padStart(length - 1, '0')}\0`;
}

function header(name: string, spec: TarEntrySpec, size: number): Buffer {
  const block = Buffer.alloc(512);
  block.write(name, 0, 100, 'utf8');
  const dir = spec.type === 'dir';
  block.write(octal(spec.mode ?? (dir ? 0o755 : 0o644), 8), 100, 'latin1');
  block.write(octal(0, 8), 108, 'latin1');
  block.write(octal(0, 8), 116, 'latin1');
  block.write(octal(size, 12), 124, 'latin1');
  block.write(octal(1735689600, 12), 136, 'latin1');
  const flag = { file: '0', dir: '5', symlink: '2', hardlink: '1' }[spec.type ?? 'file'];
  block.write(flag, 156, 'latin1');
  if (spec.linkname) block.write(spec.linkname, 157, 100, 'utf8');
  block.write('ustar\0', 257, 'latin1');
  block.write('00', 263, 'latin1');
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return block;
}

const pad = (n: number) => Buffer.alloc((512 - (n % 512)) % 512);

/** An uncompressed tar; names longer than 100 bytes get a PAX header. */
export function tarBuffer(entries: TarEntrySpec[]): Buffer {
  const parts: Buffer[] = [];
  for (const spec of entries) {
    const content =
      spec.type === 'file' || spec.type === undefined
        ? Buffer.from(spec.content ?? '')
        : Buffer.alloc(0);
    let name = spec.path;
    if (Buffer.byteLength(name) > 100) {
      const record = (len: number) => `${len} path=${spec.path}\n`;
      let length = Buffer.byteLength(record(0));
      while (Buffer.byteLength(record(length)) !== length)
        length = Buffer.byteLength(record(length));
      const pax = Buffer.from(record(length));
      const paxHeader = header('PaxHeader', { path: 'PaxHeader' }, pax.length);
      paxHeader.write('x', 156, 'latin1');
      paxHeader.fill(0x20, 148, 156);
      let sum = 0;
      for (const byte of paxHeader) sum += byte;
      paxHeader.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
      parts.push(paxHeader, pax, pad(pax.length));
      name = name.slice(0, 100);
    }
    parts.push(header(name, spec, content.length), content, pad(content.length));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

export type Compression = 'gzip' | 'zstd' | 'none';

export function compress(data: Buffer, how: Compression): Buffer {
  if (how === 'gzip') return zlib.gzipSync(data);
  if (how === 'zstd') {
    const result = spawnSync('zstd', ['-q', '-c'], { input: data });
    if (result.status !== 0) throw new Error('zstd CLI missing (apt-get install zstd)');
    return result.stdout;
  }
  return data;
}

export interface LayerSpec {
  tar: Buffer;
  compression?: Compression;
  createdBy?: string;
}

export interface OciOptions {
  os?: string;
  architecture?: string;
  /** The image config's `config` (User, Env, Labels, Healthcheck, Cmd…). */
  config?: Record<string, unknown>;
  /** The whole history (with empty-layer steps); default one step per layer. */
  history?: { created_by: string; empty_layer?: boolean }[];
  /** Mutates blobs/config before they are written, to make broken images. */
  tamper?: {
    diffIds?: (ids: string[]) => string[];
    layerBlob?: (index: number, blob: Buffer) => Buffer;
    skipLayerBlob?: number;
  };
}

/** Writes an OCI image layout directory with one image. Returns its manifest digest. */
export async function writeOciLayout(dir: string, layers: LayerSpec[], options: OciOptions = {}) {
  const blobs = path.join(dir, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  const put = async (data: Buffer) => {
    const digest = sha256(data);
    await writeFile(path.join(blobs, digest.slice(7)), data);
    return digest;
  };
  const descriptors = [];
  let diffIds: string[] = [];
  for (const [index, layer] of layers.entries()) {
    const compression = layer.compression ?? 'gzip';
    const blob = compress(layer.tar, compression);
    diffIds.push(sha256(layer.tar));
    const digest = sha256(blob);
    const written = options.tamper?.layerBlob?.(index, blob) ?? blob;
    if (options.tamper?.skipLayerBlob !== index) {
      await writeFile(path.join(blobs, digest.slice(7)), written);
    }
    descriptors.push({
      mediaType: `application/vnd.oci.image.layer.v1.tar${compression === 'none' ? '' : `+${compression}`}`,
      digest,
      size: blob.length,
    });
  }
  if (options.tamper?.diffIds) diffIds = options.tamper.diffIds(diffIds);
  const config = Buffer.from(
    JSON.stringify({
      architecture: options.architecture ?? 'amd64',
      os: options.os ?? 'linux',
      ...(options.config ? { config: options.config } : {}),
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: options.history ?? layers.map((l) => ({ created_by: l.createdBy ?? 'test layer' })),
    }),
  );
  const configDigest = await put(config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: configDigest,
        size: config.length,
      },
      layers: descriptors,
    }),
  );
  const manifestDigest = await put(manifest);
  await writeFile(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  await writeFile(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: manifestDigest,
          size: manifest.length,
          annotations: { 'org.opencontainers.image.ref.name': 'test' },
        },
      ],
    }),
  );
  return { manifestDigest, configDigest, diffIds };
}

/** Writes a docker-archive (docker save layout, uncompressed layers named by diffID). */
export async function writeDockerArchive(
  file: string,
  layers: Buffer[],
  repoTag = 'test/image:latest',
) {
  const diffIds = layers.map(sha256);
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: layers.map((_, i) => ({ created_by: `step ${i}` })),
    }),
  );
  const configName = `${sha256(config).slice(7)}.json`;
  const layerNames = diffIds.map((d) => `${d.slice(7)}.tar`);
  const entries: TarEntrySpec[] = [
    { path: configName, content: config },
    ...layers.map((tar, i) => ({ path: layerNames[i] as string, content: tar })),
    {
      path: 'manifest.json',
      content: JSON.stringify([{ Config: configName, RepoTags: [repoTag], Layers: layerNames }]),
    },
  ];
  await writeFile(file, tarBuffer(entries));
}

/** The entries of a (plain) tar archive: name and bytes of every regular file. */
export function* tarFiles(tar: Buffer): Generator<{ name: string; data: Buffer }> {
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) return;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1) || '0';
    const prefix = field(345, 155);
    const data = tar.subarray(offset + 512, offset + 512 + size);
    const name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    if (type === 'L') longName = data.toString('utf8').replace(/\0.*$/s, '');
    else if (type === '0' || type === '7') yield { name: name.replace(/^\.\//, ''), data };
    offset += 512 + Math.ceil(size / 512) * 512;
  }
}

/** A file of a docker-archive image (`docker save`), as the final filesystem has it. */
export function readDockerArchiveFile(archive: Buffer, file: string): Buffer | undefined {
  const outer = new Map([...tarFiles(archive)].map((e) => [e.name, e.data]));
  const manifest = JSON.parse(String(outer.get('manifest.json'))) as { Layers: string[] }[];
  let found: Buffer | undefined;
  for (const layer of manifest[0]?.Layers ?? []) {
    const blob = outer.get(layer);
    if (!blob) continue;
    const plain = blob[0] === 0x1f && blob[1] === 0x8b ? zlib.gunzipSync(blob) : blob;
    for (const entry of tarFiles(plain)) if (entry.name === file) found = entry.data;
  }
  return found;
}

/**
 * A "rebuild" of a docker-archive image: its layers (same diffIDs, so shared with the original)
 * and Dockerfile steps, plus `extra` layers on top, written as an OCI layout in `dir`.
 */
export async function rebuildDockerArchive(
  archive: Buffer,
  dir: string,
  extra: { entries: TarEntrySpec[]; createdBy: string }[],
) {
  const outer = new Map([...tarFiles(archive)].map((e) => [e.name, e.data]));
  const [manifest] = JSON.parse(String(outer.get('manifest.json'))) as {
    Config: string;
    Layers: string[];
  }[];
  if (!manifest) throw new Error('not a docker archive: no manifest.json');
  const config = JSON.parse(String(outer.get(manifest.Config))) as {
    history?: { created_by?: string; empty_layer?: boolean }[];
  };
  const steps = (config.history ?? []).filter((h) => !h.empty_layer).map((h) => h.created_by);
  const layers: LayerSpec[] = manifest.Layers.map((name, i) => {
    const blob = outer.get(name);
    if (!blob) throw new Error(`docker archive lacks ${name}`);
    const tar = blob[0] === 0x1f && blob[1] === 0x8b ? zlib.gunzipSync(blob) : blob;
    return { tar, ...(steps[i] ? { createdBy: steps[i] } : {}) };
  });
  for (const e of extra) layers.push({ tar: tarBuffer(e.entries), createdBy: e.createdBy });
  return writeOciLayout(dir, layers);
}
