import type { BlobSource, BlobVisitor } from '@drydock/scanner';
import { isIndex, type Manifest, type RegistryClient } from './client.ts';
import { RegistryError } from './errors.ts';

const BLOB_NAME = /^blobs\/sha256\/([0-9a-f]{64})$/;

/**
 * Presents one image of a registry as an OCI layout to the scanner: `index.json` names the
 * manifest (or index) by digest, and `blobs/sha256/<hex>` is served from the registry — manifests
 * from the manifests endpoint, configs and layers from the blobs endpoint, layers streamed.
 */
export class RegistryImageSource implements BlobSource {
  /** Manifests by digest: fetched ones keep their bytes, index children are fetched when read. */
  private readonly manifests = new Map<string, Buffer | undefined>();
  private readonly digest: string;
  private readonly mediaType: string;
  /** Bytes of layer blobs streamed so far (for progress and the pull figures). */
  bytesPulled = 0;

  /** `top` is the manifest or index already fetched by the caller: it is not requested again. */
  constructor(
    private readonly client: RegistryClient,
    private readonly repository: string,
    top: Pick<Manifest, 'digest' | 'mediaType' | 'body' | 'manifests'>,
  ) {
    this.digest = top.digest;
    this.mediaType = top.mediaType;
    this.remember(top);
  }

  private remember(manifest: Pick<Manifest, 'digest' | 'mediaType' | 'body' | 'manifests'>) {
    this.manifests.set(manifest.digest, manifest.body);
    if (isIndex(manifest)) {
      for (const m of manifest.manifests ?? []) {
        if (!this.manifests.has(m.digest)) this.manifests.set(m.digest, undefined);
      }
    }
  }

  get description(): string {
    return `${this.client.base}/${this.repository}@${this.digest}`;
  }

  has(name: string): boolean {
    return name === 'index.json' || BLOB_NAME.test(name);
  }

  async readSmall(name: string): Promise<Buffer> {
    if (name === 'index.json') {
      return Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          manifests: [{ mediaType: this.mediaType, digest: this.digest }],
        }),
      );
    }
    const digest = this.digestOf(name);
    if (this.manifests.has(digest)) {
      const known = this.manifests.get(digest);
      if (known) return known;
      const manifest = await this.client.manifest(this.repository, digest);
      this.remember(manifest);
      return manifest.body;
    }
    return this.client.blobBuffer(this.repository, digest);
  }

  async forEach(names: string[], visit: BlobVisitor): Promise<void> {
    for (const name of names) {
      const { stream, size } = await this.client.blob(this.repository, this.digestOf(name), (n) => {
        this.bytesPulled += n;
      });
      await visit(name, stream, size);
    }
  }

  async close(): Promise<void> {}

  private digestOf(name: string): string {
    const m = BLOB_NAME.exec(name);
    if (!m) throw new RegistryError('protocol', `${this.description}: no blob named '${name}'`);
    return `sha256:${m[1]}`;
  }
}
