import { type Descriptor, isIndex, type RegistryClient } from './client.ts';
import { RegistryError } from './errors.ts';

/** One platform image found in a registry, with every tag that points at it (or at its index). */
export interface DiscoveredImage {
  /** Full repository path in the registry, e.g. `shop/node-app`. */
  path: string;
  namespace: string;
  repository: string;
  /** Digest of the platform manifest (what is scanned). */
  digest: string;
  mediaType: string;
  tags: string[];
  platform?: string;
  /** Digest of the index the tags point at, for multi-platform images. */
  indexDigest?: string;
  layerCount: number;
  /** Sum of the compressed layer sizes from the manifest. */
  size: number;
}

export interface DiscoveryProblem {
  path: string;
  tag?: string;
  message: string;
}

/** Platform images read from one index at most (a hostile index may list thousands). */
export const MAX_PLATFORMS = 64;

/** `a/b/c` → namespace `a/b`, repository `c`; a single segment has the empty namespace. */
export function splitRepository(path: string): { namespace: string; repository: string } {
  const cut = path.lastIndexOf('/');
  return cut < 0
    ? { namespace: '', repository: path }
    : { namespace: path.slice(0, cut), repository: path.slice(cut + 1) };
}

const platformOf = (p?: Descriptor['platform']) =>
  p
    ? [p.os ?? 'unknown', p.architecture ?? 'unknown', p.variant].filter(Boolean).join('/')
    : undefined;

/**
 * Walks the catalog (or the given repositories): tags → manifests → platform images. An index
 * becomes one image per platform (attestation manifests marked `unknown/unknown` are skipped). A
 * repository or tag that cannot be read is reported and skipped; the walk goes on.
 */
export async function discoverImages(
  client: RegistryClient,
  options: { repositories?: string[]; onProblem?: (p: DiscoveryProblem) => void } = {},
): Promise<DiscoveredImage[]> {
  const paths: string[] = [];
  if (options.repositories) paths.push(...options.repositories);
  else for await (const repo of client.catalog()) paths.push(repo);

  const images = new Map<string, DiscoveredImage>();
  const add = (image: Omit<DiscoveredImage, 'tags'>, tag: string) => {
    const key = `${image.path}@${image.digest}`;
    const existing = images.get(key);
    if (existing) {
      if (!existing.tags.includes(tag)) existing.tags.push(tag);
    } else images.set(key, { ...image, tags: [tag] });
  };
  for (const path of paths) {
    let tags: string[];
    try {
      tags = await client.tags(path);
    } catch (error) {
      if (error instanceof RegistryError && error.code !== 'not_found') throw error;
      options.onProblem?.({ path, message: (error as Error).message });
      continue;
    }
    const { namespace, repository } = splitRepository(path);
    for (const tag of tags.sort()) {
      try {
        const top = await client.manifest(path, tag);
        let children = isIndex(top)
          ? (top.manifests ?? []).filter((m) => platformOf(m.platform) !== 'unknown/unknown')
          : [{ digest: top.digest, mediaType: top.mediaType } as Descriptor];
        if (children.length > MAX_PLATFORMS) {
          options.onProblem?.({
            path,
            tag,
            message: `index lists ${children.length} images: only the first ${MAX_PLATFORMS} are read`,
          });
          children = children.slice(0, MAX_PLATFORMS);
        }
        for (const child of children) {
          const manifest =
            child.digest === top.digest ? top : await client.manifest(path, child.digest);
          if (isIndex(manifest)) continue; // nested indexes: not an image
          const layers = manifest.layers ?? [];
          add(
            {
              path,
              namespace,
              repository,
              digest: manifest.digest,
              mediaType: manifest.mediaType,
              ...(platformOf(child.platform) ? { platform: platformOf(child.platform) } : {}),
              ...(isIndex(top) ? { indexDigest: top.digest } : {}),
              layerCount: layers.length,
              size: layers.reduce((sum, l) => sum + (l.size ?? 0), 0),
            },
            tag,
          );
        }
      } catch (error) {
        // Credentials and reachability problems concern the whole registry: stop the walk.
        if (
          error instanceof RegistryError &&
          ['unauthorized', 'unreachable', 'timeout'].includes(error.code)
        ) {
          throw error;
        }
        options.onProblem?.({ path, tag, message: (error as Error).message });
      }
    }
  }
  return [...images.values()];
}
