import { createServer } from 'node:http';
import { freePort } from '@drydock/db';
import { openImageFromSource, scanImage, scanOpenedImage } from '@drydock/scanner';
import { shared } from '@drydock/test-data';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRegistry, type TestRegistry } from '../../../test/support/registry.ts';
import { discoverImages, RegistryClient, RegistryImageSource } from '../src/index.ts';
import { rejection } from './rejection.ts';

describe('registry client against a real registry with Basic auth', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'basic' });
    await registry.push(
      `docker-archive:${shared('images', 'debian12-node-app.tar')}`,
      'shop/node-app:1.0',
    );
    await registry.push(
      `docker-archive:${shared('images', 'debian12-node-app.tar')}`,
      'shop/node-app:stable',
    );
    await registry.push(`oci:${shared('images', 'multiarch-oci')}:latest`, 'tools/multi:latest');
    await registry.push(`docker-archive:${shared('images', 'go-binaries.tar')}`, 'gobin:v1');
  }, 120_000);
  afterAll(async () => registry?.stop());

  it('tells missing and wrong credentials apart, and accepts the right ones', async () => {
    const anonymous = await rejection(new RegistryClient({ url: registry.url }).ping());
    expect(anonymous.code).toBe('unauthorized');
    expect(anonymous.message).toBe(`${registry.host} requires credentials (401)`);

    const wrong = new RegistryClient({
      url: registry.url,
      credentials: { username: 'scanner', password: 'not-it' },
    });
    const refused = await rejection(wrong.ping());
    expect(refused.code).toBe('unauthorized');
    expect(refused.message).toContain(`${registry.host} refused the credentials`);

    const client = new RegistryClient({ url: registry.url, credentials: registry.credentials });
    expect(await client.ping()).toEqual({ auth: 'basic' });
  });

  it('walks the catalog page by page and resolves tags, indexes and platforms', async () => {
    const client = new RegistryClient({ url: registry.url, credentials: registry.credentials });
    const repos: string[] = [];
    for await (const repo of client.catalog(1)) repos.push(repo);
    expect(repos).toEqual(['gobin', 'shop/node-app', 'tools/multi']);
    expect((await client.tags('shop/node-app')).sort()).toEqual(['1.0', 'stable']);

    const images = await discoverImages(client);
    const byPath = (p: string) => images.filter((i) => i.path === p);
    const node = byPath('shop/node-app');
    expect(node).toHaveLength(1);
    expect(node[0]).toMatchObject({
      namespace: 'shop',
      repository: 'node-app',
      tags: ['1.0', 'stable'],
      layerCount: 7,
    });
    expect(node[0]?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(byPath('gobin')[0]).toMatchObject({ namespace: '', repository: 'gobin', tags: ['v1'] });
    const multi = byPath('tools/multi');
    expect(multi.map((m) => m.platform).sort()).toEqual(['linux/amd64', 'linux/arm64/v8']);
    expect(new Set(multi.map((m) => m.indexDigest)).size).toBe(1);
    expect(multi.every((m) => m.tags.join() === 'latest' && m.layerCount === 2)).toBe(true);
  });

  it('pulls an image blob by blob and the scanner finds what it finds in the archive', async () => {
    const client = new RegistryClient({ url: registry.url, credentials: registry.credentials });
    const manifest = await client.manifest('shop/node-app', '1.0');
    const source = new RegistryImageSource(client, 'shop/node-app', manifest);
    const image = await openImageFromSource(
      source,
      `${registry.host}/shop/node-app@${manifest.digest}`,
      {
        format: 'registry',
      },
    );
    const pulled = await scanOpenedImage(image);
    const local = await scanImage(shared('images', 'debian12-node-app.tar'));
    expect(pulled.report.target).toMatchObject({
      format: 'registry',
      manifestDigest: manifest.digest,
    });
    expect(pulled.report.target.configDigest).toBe(local.report.target.configDigest);
    expect(pulled.report.layers.map((l) => l.diffId)).toEqual(
      local.report.layers.map((l) => l.diffId),
    );
    expect(pulled.report.packages).toEqual(local.report.packages);
    expect(pulled.report.packages.length).toBeGreaterThan(100);
    expect(source.bytesPulled).toBe(pulled.report.layers.reduce((s, l) => s + l.size, 0));
  });

  it('selects the platform of a multi-platform image', async () => {
    const client = new RegistryClient({ url: registry.url, credentials: registry.credentials });
    const index = await client.manifest('tools/multi', 'latest');
    const source = new RegistryImageSource(client, 'tools/multi', index);
    const image = await openImageFromSource(source, 'multi', {
      platform: 'linux/arm64',
      format: 'registry',
    });
    expect(image.platform).toBe('linux/arm64/v8');
  });

  it('names what is missing', async () => {
    const client = new RegistryClient({ url: registry.url, credentials: registry.credentials });
    const missing = await rejection(client.manifest('shop/node-app', 'nope'));
    expect(missing.code).toBe('not_found');
    expect(missing.message).toContain(
      'manifest shop/node-app@nope not found (404 MANIFEST_UNKNOWN',
    );
    const badName = await rejection(client.manifest('Shop/../x', 'latest'));
    expect(badName.message).toBe(`'Shop/../x' is not a valid repository name`);
  });
});

describe('registry client with bearer tokens (Registry v2 token spec)', () => {
  let registry: TestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth: 'bearer' });
    await registry.push(`docker-archive:${shared('images', 'go-binaries.tar')}`, 'tools/go:1');
  }, 120_000);
  afterAll(async () => registry?.stop());

  it('fetches a token per scope with the credentials and reuses it', async () => {
    registry.tokenRequests.length = 0;
    const client = new RegistryClient({ url: registry.url, credentials: registry.credentials });
    expect(await client.ping()).toEqual({ auth: 'bearer' });
    const repos: string[] = [];
    for await (const repo of client.catalog()) repos.push(repo);
    expect(repos).toEqual(['tools/go']);
    const images = await discoverImages(client);
    expect(images).toHaveLength(1);
    await client.blobBuffer(
      'tools/go',
      (await client.manifest('tools/go', '1')).config?.digest ?? '',
    );
    const scopes = registry.tokenRequests.map((r) => r.scope.join(' '));
    expect(scopes).toContain('registry:catalog:*');
    // One token for the repository, reused for tags, manifests and blobs.
    expect(scopes.filter((s) => s === 'repository:tools/go:pull')).toHaveLength(1);
    expect(registry.tokenRequests.every((r) => r.authorized)).toBe(true);
  });

  it('reports a token service that refuses the credentials', async () => {
    const client = new RegistryClient({
      url: registry.url,
      credentials: { username: 'scanner', password: 'wrong' },
    });
    const error = await rejection(client.ping());
    expect(error.code).toBe('unauthorized');
    expect(error.message).toMatch(
      /the token service 127\.0\.0\.1:\d+ refused the credentials \(401\)/,
    );
  });
});

describe('registry client faults', () => {
  it('reports an unreachable registry and one that does not answer in time', async () => {
    const closed = await freePort();
    const down = await rejection(new RegistryClient({ url: `http://127.0.0.1:${closed}` }).ping());
    expect(down.code).toBe('unreachable');
    expect(down.message).toBe(`127.0.0.1:${closed} is unreachable (ECONNREFUSED)`);

    const silent = createServer(() => {
      // never answers
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const slow = await rejection(
        new RegistryClient({ url: `http://127.0.0.1:${port}`, timeoutMs: 300 }).ping(),
      );
      expect(slow.code).toBe('timeout');
      expect(slow.message).toBe(`127.0.0.1:${port}: /v2/: no answer within 0.3 s`);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  it('rejects a manifest whose content does not match the digest asked for', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' });
      res.end('{"schemaVersion":2,"layers":[],"config":{"digest":"sha256:00"}}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const digest = `sha256:${'a'.repeat(64)}`;
      const error = await rejection(
        new RegistryClient({ url: `http://127.0.0.1:${port}` }).manifest('x', digest),
      );
      expect(error.code).toBe('protocol');
      expect(error.message).toContain(`manifest x@${digest}: digest mismatch`);
    } finally {
      server.close();
    }
  });
});
