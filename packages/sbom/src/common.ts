import type { Package, ScanReport } from '@drydock/contract';

/** What wrote the documents. */
export const TOOL = { vendor: 'Drydock', name: 'drydock' } as const;

/** Properties read back from Drydock's own documents (SBOM in): one namespace, `drydock:`. */
export const PROP = {
  type: 'drydock:package:type',
  path: 'drydock:location:path',
  layerIndex: 'drydock:layer:index',
  layerDiffId: 'drydock:layer:diffID',
  layerCreatedBy: 'drydock:layer:createdBy',
  foundBy: 'drydock:package:foundBy',
  declared: 'drydock:package:declared',
  sourceName: 'drydock:package:sourceName',
  sourceVersion: 'drydock:package:sourceVersion',
  arch: 'drydock:package:arch',
  epoch: 'drydock:package:epoch',
} as const;

/** The image as people name it: its first tag, else what was scanned. */
export const imageName = (report: ScanReport) => report.target.repoTags[0] ?? report.target.input;

/**
 * An image as a package URL (`pkg:oci/name@sha256:…?repository_url=…&tag=…`) from its reference
 * (`registry/namespace/repo:tag`) and digest.
 */
export function ociPurl(ref: string, digest: string): string {
  const at = ref.lastIndexOf(':');
  const slash = ref.lastIndexOf('/');
  const repository = at > slash ? ref.slice(0, at) : ref;
  const tag = at > slash ? ref.slice(at + 1) : undefined;
  const name = (repository.split('/').pop() || 'image').toLowerCase();
  const q = new URLSearchParams();
  if (repository.includes('/')) q.set('repository_url', repository.toLowerCase());
  if (tag) q.set('tag', tag);
  const query = q.toString();
  return `pkg:oci/${encodeURIComponent(name)}@${encodeURIComponent(digest)}${query ? `?${query}` : ''}`;
}

/** The scanned image as a package URL, by its manifest digest, else its config digest. */
export const imagePurl = (report: ScanReport) =>
  ociPurl(imageName(report), report.target.manifestDigest ?? report.target.configDigest);

/** A package's version as its manager writes it (rpm epoch included). */
export const versionOf = (p: Pick<Package, 'version' | 'epoch'>) =>
  p.epoch ? `${p.epoch}:${p.version}` : p.version;

/** One component per package occurrence: the same purl at two paths is two components. */
export const componentRef = (purl: string, path: string) => `${purl}#${path}`;

/**
 * The occurrences (component refs) a package depends on: its `dependsOn` package URLs, each the
 * occurrence read from the same file when there is one (a lock file's tree), else the first.
 */
export function dependencyRefs(report: ScanReport): (p: Package) => string[] {
  const refs = new Set<string>();
  const firstOf = new Map<string, string>();
  for (const p of report.packages) {
    const ref = componentRef(p.purl, p.path);
    refs.add(ref);
    if (!firstOf.has(p.purl)) firstOf.set(p.purl, ref);
  }
  return (p) => [
    ...new Set(
      (p.dependsOn ?? []).flatMap((purl) => {
        const same = componentRef(purl, p.path);
        const ref = refs.has(same) ? same : firstOf.get(purl);
        return ref && ref !== componentRef(p.purl, p.path) ? [ref] : [];
      }),
    ),
  ];
}

/** Where a package was found and how: the layer (with its Dockerfile step), path, analyzer. */
export function packageProperties(p: Package, report: ScanReport): [string, string][] {
  const layer = report.layers[p.layerIndex];
  const out: [string, string][] = [
    [PROP.type, p.type],
    [PROP.path, p.path],
    [PROP.layerIndex, String(p.layerIndex)],
    [PROP.layerDiffId, p.layerDiffId],
  ];
  if (layer?.createdBy) out.push([PROP.layerCreatedBy, layer.createdBy]);
  if (p.foundBy) out.push([PROP.foundBy, p.foundBy]);
  if (p.declared) out.push([PROP.declared, 'true']);
  if (p.sourceName) out.push([PROP.sourceName, p.sourceName]);
  if (p.sourceVersion) out.push([PROP.sourceVersion, p.sourceVersion]);
  if (p.arch) out.push([PROP.arch, p.arch]);
  if (p.epoch !== undefined) out.push([PROP.epoch, String(p.epoch)]);
  return out;
}
