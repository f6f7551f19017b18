import type { BlobSource, BlobVisitor } from '@drydock/scanner';
import { isIndex, type RegistryClient } from './client.ts';
import { RegistryError } from './errors.ts';

const BLOB_NAME = /^blobs\/sha256\/([0-9a-f]{64})$/;

/**
 * Presents one image of a registry as an OCI layout to the scanner: `index.json` names the
 * manifest (or index) by digest, and `blobs/sha256/<hex>` is served from the registry — manifests
 * from the manifests endpoint, configs and layers from the blobs endpoint, layers streamed.
 */
export class RegistryImageSource implements BlobSource {
  private readonly manifests = new Set<string>();
  /** Bytes of layer blobs streamed so far (for progress and the pull figures). */
  bytesPulled = 0;

  constructor(
    private readonly client: RegistryClient,
    private readonly repository: string,
    private readonly digest: string,
    private readonly mediaType: string,
  ) {
    this.manifests.add(digest);
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
      const manifest = await this.client.manifest(this.repository, digest);
      if (isIndex(manifest)) for (const m of manifest.manifests ?? []) this.manifests.add(m.digest);
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
