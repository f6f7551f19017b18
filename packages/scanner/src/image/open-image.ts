import { createHash } from 'node:crypto';
import { open, stat } from 'node:fs/promises';
import { ScanError } from '../errors.ts';
import { detectCompression } from '../io/decompress.ts';
import {
  type BlobSource,
  CompressedTarSource,
  DirectorySource,
  TarFileSource,
} from './blob-source.ts';

export type ImageFormat = 'docker-archive' | 'oci-archive' | 'oci-layout' | 'registry';

export interface ImageLayerRef {
  index: number;
  /** Archive path of the layer blob. */
  blobName: string;
  /** sha256 of the stored blob, when the archive tells us (verified while reading). */
  expectedDigest?: string;
  diffId: string;
  createdBy?: string;
}

export interface ImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  rootfs?: { diff_ids?: string[] };
  history?: { created_by?: string; empty_layer?: boolean; created?: string }[];
  config?: Record<string, unknown>;
}

export interface ImageHandle {
  input: string;
  format: ImageFormat;
  source: BlobSource;
  repoTags: string[];
  manifestDigest?: string;
  configDigest: string;
  config: ImageConfig;
  platform: string;
  layers: ImageLayerRef[];
  close(): Promise<void>;
}

const SHA256 = /^sha256:[0-9a-f]{64}$/;

export const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

function parseJson<T>(data: Buffer, what: string): T {
  try {
    return JSON.parse(data.toString('utf8')) as T;
  } catch (error) {
    throw new ScanError(
      'invalid_manifest',
      `${what} is not valid JSON: ${(error as Error).message}`,
    );
  }
}

function platformOf(p: { os?: string; architecture?: string; variant?: string }): string {
  return [p.os ?? 'unknown', p.architecture ?? 'unknown', p.variant].filter(Boolean).join('/');
}

/** "linux/arm64" matches linux/arm64/v8; "linux/arm64/v8" needs the variant. */
function platformMatches(available: string, wanted: string): boolean {
  if (available === wanted) return true;
  const a = available.split('/');
  const w = wanted.split('/');
  return w.length === 2 && a[0] === w[0] && a[1] === w[1];
}

function layersFromConfig(
  config: ImageConfig,
  blobNames: string[],
  expectedDigests: (string | undefined)[],
  where: string,
): ImageLayerRef[] {
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== blobNames.length) {
    throw new ScanError(
      'invalid_manifest',
      `${where}: the manifest lists ${blobNames.length} layers but the config has ${diffIds.length} diff_ids`,
    );
  }
  // History entries that made a layer are, in order, the layers.
  const steps = (config.history ?? []).filter((h) => !h.empty_layer);
  return blobNames.map((blobName, index) => {
    const diffId = diffIds[index] as string;
    if (!SHA256.test(diffId)) {
      throw new ScanError(
        'invalid_manifest',
        `${where}: diff_id ${index} '${diffId}' is not sha256`,
      );
    }
    const createdBy = steps.length === blobNames.length ? steps[index]?.created_by : undefined;
    return {
      index,
      blobName,
      diffId,
      ...(expectedDigests[index] ? { expectedDigest: expectedDigests[index] } : {}),
      ...(createdBy ? { createdBy } : {}),
    };
  });
}

async function readVerified(source: BlobSource, name: string, digest: string, what: string) {
  const data = await source.readSmall(name);
  const actual = sha256(data);
  if (actual !== digest) {
    throw new ScanError(
      'digest_mismatch',
      `${source.description}: ${what} ${name}: digest mismatch: expected ${digest}, content is ${actual}`,
    );
  }
  return data;
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

function blobPath(digest: string, where: string): string {
  const match = /^(sha256|sha512):([0-9a-f]+)$/.exec(digest);
  if (!match) throw new ScanError('invalid_manifest', `${where}: bad digest '${digest}'`);
  return `blobs/${match[1]}/${match[2]}`;
}

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

async function openOci(
  source: BlobSource,
  input: string,
  format: ImageFormat,
  wantedPlatform: string | undefined,
): Promise<Omit<ImageHandle, 'close'>> {
  const where = source.description;
  const index = parseJson<{ manifests?: Descriptor[] }>(
    await source.readSmall('index.json'),
    `${where}: index.json`,
  );
  // Flatten nested indexes into image manifests, keeping the ref name of the top descriptor.
  const candidates: { descriptor: Descriptor; refName?: string }[] = [];
  const visit = async (descriptors: Descriptor[], refName: string | undefined, depth: number) => {
    if (depth > 4)
      throw new ScanError('invalid_manifest', `${where}: image indexes nested too deep`);
    for (const d of descriptors) {
      const name = d.annotations?.['org.opencontainers.image.ref.name'] ?? refName;
      if (d.mediaType && INDEX_TYPES.has(d.mediaType)) {
        const nested = parseJson<{ manifests?: Descriptor[] }>(
          await readVerified(source, blobPath(d.digest, where), d.digest, 'index'),
          `${where}: index ${d.digest}`,
        );
        await visit(nested.manifests ?? [], name, depth + 1);
      } else {
        candidates.push({ descriptor: d, ...(name ? { refName: name } : {}) });
      }
    }
  };
  await visit(index.manifests ?? [], undefined, 0);
  if (candidates.length === 0)
    throw new ScanError('invalid_manifest', `${where}: no image manifest`);

  const wanted = wantedPlatform ?? 'linux/amd64';
  const withPlatform = candidates.filter((c) => c.descriptor.platform);
  let chosen = candidates[0];
  if (withPlatform.length > 0 && (candidates.length > 1 || wantedPlatform)) {
    chosen = withPlatform.find((c) =>
      platformMatches(platformOf(c.descriptor.platform ?? {}), wanted),
    );
    if (!chosen) {
      const available = withPlatform.map((c) => platformOf(c.descriptor.platform ?? {}));
      throw new ScanError(
        'platform_not_found',
        `${where}: no image for platform ${wanted}; available: ${available.join(', ')}`,
      );
    }
  }
  const descriptor = (chosen as (typeof candidates)[number]).descriptor;
  const manifestData = await readVerified(
    source,
    blobPath(descriptor.digest, where),
    descriptor.digest,
    'manifest',
  );
  const manifest = parseJson<{ config?: Descriptor; layers?: Descriptor[] }>(
    manifestData,
    `${where}: manifest ${descriptor.digest}`,
  );
  if (!manifest.config?.digest || !Array.isArray(manifest.layers)) {
    throw new ScanError(
      'invalid_manifest',
      `${where}: manifest ${descriptor.digest} lacks config or layers`,
    );
  }
  const configDigest = manifest.config.digest;
  const config = parseJson<ImageConfig>(
    await readVerified(source, blobPath(configDigest, where), configDigest, 'config'),
    `${where}: config`,
  );
  const platform = platformOf(config);
  if (wantedPlatform && !platformMatches(platform, wantedPlatform)) {
    throw new ScanError(
      'platform_not_found',
      `${where}: image is ${platform}; requested ${wantedPlatform}`,
    );
  }
  const layerDescriptors = manifest.layers;
  const layers = layersFromConfig(
    config,
    layerDescriptors.map((l) => blobPath(l.digest, where)),
    layerDescriptors.map((l) => l.digest),
    where,
  );
  const refName = (chosen as (typeof candidates)[number]).refName;
  return {
    input,
    format,
    source,
    repoTags: refName ? [refName] : [],
    manifestDigest: descriptor.digest,
    configDigest,
    config,
    platform,
    layers,
  };
}

interface DockerManifestEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

const HEX_NAME = /^(?:sha256:)?([0-9a-f]{64})(?:\.json|\.tar(?:\.gz|\.zst)?)?$/;

function digestFromName(name: string): string | undefined {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const match = HEX_NAME.exec(base);
  return match ? `sha256:${match[1]}` : undefined;
}

async function openDockerArchive(
  source: BlobSource,
  input: string,
  wantedPlatform: string | undefined,
): Promise<Omit<ImageHandle, 'close'>> {
  const where = source.description;
  const entries = parseJson<DockerManifestEntry[]>(
    await source.readSmall('manifest.json'),
    `${where}: manifest.json`,
  );
  const entry = Array.isArray(entries) ? entries[0] : undefined;
  if (!entry?.Config || !Array.isArray(entry.Layers)) {
    throw new ScanError('invalid_manifest', `${where}: manifest.json has no image entry`);
  }
  const configName = entry.Config;
  const configData = await source.readSmall(configName);
  const configDigest = sha256(configData);
  const named = digestFromName(configName);
  if (named && named !== configDigest) {
    throw new ScanError(
      'digest_mismatch',
      `${where}: config ${configName}: digest mismatch: expected ${named}, content is ${configDigest}`,
    );
  }
  const config = parseJson<ImageConfig>(configData, `${where}: ${configName}`);
  const platform = platformOf(config);
  if (wantedPlatform && !platformMatches(platform, wantedPlatform)) {
    throw new ScanError(
      'platform_not_found',
      `${where}: image is ${platform}; requested ${wantedPlatform}`,
    );
  }
  let repoTags = entry.RepoTags ?? [];
  if (repoTags.length === 0 && source.has('repositories')) {
    // The legacy `repositories` file names the tags when manifest.json does not.
    const repos = parseJson<Record<string, Record<string, string>>>(
      await source.readSmall('repositories'),
      `${where}: repositories`,
    );
    repoTags = Object.entries(repos).flatMap(([repo, tags]) =>
      Object.keys(tags).map((tag) => `${repo}:${tag}`),
    );
  }
  const layers = layersFromConfig(
    config,
    entry.Layers,
    // `<hex>.tar.gz` names the compressed digest; `<hex>.tar` the diffID (checked as such).
    entry.Layers.map((name) => (name.endsWith('.tar') ? undefined : digestFromName(name))),
    where,
  );
  return {
    input,
    format: 'docker-archive',
    source,
    repoTags,
    configDigest,
    config,
    platform,
    layers,
  };
}

/**
 * Opens a docker-archive tarball (optionally compressed as a whole), an OCI archive or an OCI
 * layout directory, selects the platform, and returns the layers to read with what to verify.
 */
export async function openImage(
  input: string,
  options: { platform?: string } = {},
): Promise<ImageHandle> {
  const info = await stat(input).catch(() => undefined);
  if (!info) throw new ScanError('input_not_found', `${input}: no such file or directory`);
  let source: BlobSource;
  if (info.isDirectory()) {
    source = new DirectorySource(input);
    if (!source.has('index.json')) {
      throw new ScanError(
        'unrecognized_input',
        `${input}: a directory without index.json is not an OCI layout`,
      );
    }
  } else {
    const handle = await open(input, 'r');
    const head = Buffer.alloc(8);
    try {
      await handle.read(head, 0, 8, 0);
    } finally {
      await handle.close();
    }
    const compression = detectCompression(head);
    source =
      compression === 'none'
        ? await TarFileSource.open(input, info.size)
        : await CompressedTarSource.open(input, compression);
  }
  let image: Omit<ImageHandle, 'close'>;
  if (source.has('manifest.json')) {
    image = await openDockerArchive(source, input, options.platform);
  } else if (source.has('index.json')) {
    image = await openOci(
      source,
      input,
      info.isDirectory() ? 'oci-layout' : 'oci-archive',
      options.platform,
    );
  } else {
    throw new ScanError(
      'unrecognized_input',
      `${input}: neither a docker archive (manifest.json) nor an OCI image (index.json)`,
    );
  }
  return { ...image, close: () => source.close() };
}

/**
 * Opens an image served by any BlobSource that presents itself as an OCI layout (`index.json` and
 * `blobs/<alg>/<hex>`), e.g. a registry pulled blob by blob. Manifest and config digests are
 * verified as for a layout on disk; layer digests while the layers stream.
 */
export async function openImageFromSource(
  source: BlobSource,
  input: string,
  options: { platform?: string; format?: ImageFormat } = {},
): Promise<ImageHandle> {
  const image = await openOci(source, input, options.format ?? 'oci-layout', options.platform);
  return { ...image, close: () => source.close() };
}
