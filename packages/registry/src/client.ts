import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { EgressError, type EgressRules, egressAgent, rangesOfHost, safeFetch } from '@drydock/net';
import type { Dispatcher, Response } from 'undici';
import { basicHeader, type Credentials, parseChallenge } from './auth.ts';
import { describeErrorBody, RegistryError } from './errors.ts';

export const MANIFEST_TYPES = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
} as const;
const INDEX_TYPES = new Set<string>([MANIFEST_TYPES.ociIndex, MANIFEST_TYPES.dockerList]);
const ACCEPT = Object.values(MANIFEST_TYPES).join(', ');

/** Largest manifest or config read into memory. */
const MAX_DOCUMENT_BYTES = 8 * 1024 * 1024;
/** Pages of a catalog or tag list followed at most (a hostile registry may paginate forever). */
export const MAX_PAGES = 1000;

export interface RegistryClientOptions {
  /** Base URL, e.g. `https://registry.example.com` or `http://127.0.0.1:5000`. */
  url: string;
  credentials?: Credentials;
  /** Time allowed for a response's headers (and for a whole document). Default 30 s. */
  timeoutMs?: number;
  /** Longest pause while a blob streams before the download is abandoned. Default 60 s. */
  idleTimeoutMs?: number;
  userAgent?: string;
  /**
   * Which addresses the client may reach besides public ones. Default: the non-public ranges the
   * registry's own address lies in (a registry on a private network may point within it), never
   * link-local or another private range.
   */
  egress?: EgressRules;
}

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size?: number;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

export interface Manifest {
  digest: string;
  mediaType: string;
  body: Buffer;
  /** Child manifests when this is an index / manifest list. */
  manifests?: Descriptor[];
  config?: Descriptor;
  layers?: Descriptor[];
}

export const isIndex = (m: { mediaType?: string }) => INDEX_TYPES.has(m.mediaType ?? '');

interface Token {
  value: string;
  expiresAt: number;
}

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const REPO = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

/**
 * A Docker Registry HTTP API v2 client: Basic and bearer-token authentication (per the token
 * spec, tokens cached per scope until they expire), paginated catalog and tag lists, manifests and
 * indexes verified against their digest, and blobs streamed with header and idle timeouts. Every
 * failure is a RegistryError whose message names the registry and what went wrong.
 */
export class RegistryClient {
  readonly base: string;
  private readonly host: string;
  private readonly timeoutMs: number;
  private readonly idleTimeoutMs: number;
  private readonly origin: string;
  private readonly tokens = new Map<string, Token>();
  private basic = false;
  private network?: Promise<{ rules: EgressRules; dispatcher: Dispatcher }>;

  constructor(private readonly options: RegistryClientOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new RegistryError('protocol', `'${options.url}' is not a URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new RegistryError('protocol', `'${options.url}' must be an http(s) URL`);
    }
    this.base = url.origin + url.pathname.replace(/\/+$/, '');
    this.host = url.host;
    this.origin = url.origin;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  }

  /** Checks that the registry speaks v2 and accepts our credentials (or needs none). */
  async ping(): Promise<{ auth: 'none' | 'basic' | 'bearer' }> {
    const res = await this.request('/v2/', { scope: '' });
    await res.body?.cancel();
    return { auth: this.tokens.size > 0 ? 'bearer' : this.basic ? 'basic' : 'none' };
  }

  /** Every repository of the catalog, following `Link: <…>; rel="next"` pages. */
  async *catalog(pageSize = 100): AsyncGenerator<string> {
    for await (const page of this.pages(`/v2/_catalog?n=${pageSize}`, 'registry:catalog:*')) {
      const body = await this.json<{ repositories?: unknown }>(page, 'catalog');
      for (const repo of stringList(body.repositories)) yield repo;
    }
  }

  /**
   * The pages of a paginated list: `Link: <…>; rel="next"` is followed only within the registry's
   * own origin, at most MAX_PAGES times, and never twice to the same page.
   */
  private async *pages(first: string, scope: string): AsyncGenerator<Response> {
    const seen = new Set<string>();
    let next: string | undefined = first;
    while (next) {
      if (seen.size >= MAX_PAGES) {
        throw new RegistryError(
          'protocol',
          `${this.host}: more than ${MAX_PAGES} pages of ${first.split('?')[0]}`,
        );
      }
      seen.add(next);
      const res = await this.request(next, { scope });
      yield res;
      const link = nextLink(res.headers.get('link'));
      next = link === undefined ? undefined : this.sameOriginPath(link);
      if (next !== undefined && seen.has(next)) {
        throw new RegistryError(
          'protocol',
          `${this.host}: pagination of ${first.split('?')[0]} loops`,
        );
      }
    }
  }

  /** A `Link` target as a path of this registry; another origin is refused. */
  private sameOriginPath(link: string): string {
    let url: URL;
    try {
      url = new URL(link, this.origin);
    } catch {
      throw new RegistryError('protocol', `${this.host}: invalid pagination link`);
    }
    if (url.origin !== this.origin) {
      throw new RegistryError(
        'egress_refused',
        `${this.host}: pagination link to another host (${url.host}) refused`,
      );
    }
    return url.pathname + url.search;
  }

  /** All tags of a repository (paginated). */
  async tags(repository: string, pageSize = 1000): Promise<string[]> {
    checkRepository(repository);
    const out: string[] = [];
    for await (const page of this.pages(
      `/v2/${repository}/tags/list?n=${pageSize}`,
      pullScope(repository),
    )) {
      const body = await this.json<{ tags?: unknown }>(page, `tags of ${repository}`);
      out.push(...stringList(body.tags));
    }
    return out;
  }

  /** A manifest or index by tag or digest; a digest reference is verified against the content. */
  async manifest(repository: string, reference: string): Promise<Manifest> {
    checkRepository(repository);
    const byDigest = reference.startsWith('sha256:');
    if (byDigest && !DIGEST.test(reference)) {
      throw new RegistryError('protocol', `'${reference}' is not a sha256 digest`);
    }
    const res = await this.request(`/v2/${repository}/manifests/${reference}`, {
      scope: pullScope(repository),
      accept: ACCEPT,
      what: `manifest ${repository}@${reference}`,
    });
    const body = await this.readAll(res, `manifest ${repository}@${reference}`);
    const digest = sha256(body);
    if (byDigest && digest !== reference) {
      throw new RegistryError(
        'protocol',
        `${this.host}: manifest ${repository}@${reference}: digest mismatch, content is ${digest}`,
      );
    }
    let json: {
      schemaVersion?: number;
      mediaType?: string;
      manifests?: Descriptor[];
      config?: Descriptor;
      layers?: Descriptor[];
    };
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      throw new RegistryError(
        'protocol',
        `${this.host}: manifest ${repository}@${reference} is not JSON`,
      );
    }
    const mediaType = json.mediaType ?? res.headers.get('content-type')?.split(';')[0] ?? '';
    if (json.schemaVersion === 1 || mediaType.includes('distribution.manifest.v1')) {
      throw new RegistryError(
        'unsupported',
        `${this.host}: ${repository}@${reference} is a schema 1 manifest (deprecated); push it again with a current client`,
      );
    }
    const kind =
      INDEX_TYPES.has(mediaType) || (json.manifests && !json.layers)
        ? MANIFEST_TYPES.ociIndex
        : mediaType;
    return {
      digest,
      mediaType: INDEX_TYPES.has(mediaType) ? mediaType : kind,
      body,
      ...(json.manifests ? { manifests: json.manifests } : {}),
      ...(json.config ? { config: json.config } : {}),
      ...(json.layers ? { layers: json.layers } : {}),
    };
  }

  /** A small blob (image config) read into memory and verified. */
  async blobBuffer(repository: string, digest: string): Promise<Buffer> {
    const res = await this.blobResponse(repository, digest);
    const body = await this.readAll(res, `blob ${digest}`);
    const actual = sha256(body);
    if (actual !== digest) {
      throw new RegistryError(
        'protocol',
        `${this.host}: blob ${digest}: digest mismatch, content is ${actual}`,
      );
    }
    return body;
  }

  /**
   * A blob as a stream. The consumer verifies the digest (the scanner does, while it reads); a
   * stall longer than the idle timeout ends the stream with a timeout error.
   */
  async blob(
    repository: string,
    digest: string,
    onBytes?: (n: number) => void,
  ): Promise<{ stream: Readable; size: number }> {
    const res = await this.blobResponse(repository, digest);
    if (!res.body) throw new RegistryError('protocol', `${this.host}: blob ${digest} has no body`);
    const size = Number(res.headers.get('content-length') ?? -1);
    const idle = this.idleTimeoutMs;
    const host = this.host;
    let timer: NodeJS.Timeout | undefined;
    const source = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream);
    const watchdog = new Transform({
      transform(chunk: Buffer, _enc, done) {
        arm();
        onBytes?.(chunk.length);
        done(null, chunk);
      },
      flush(done) {
        clearTimeout(timer);
        done();
      },
      destroy(error, done) {
        clearTimeout(timer);
        source.destroy();
        done(error);
      },
    });
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        watchdog.destroy(
          new RegistryError('timeout', `${host}: blob ${digest} stalled for ${idle / 1000} s`),
        );
      }, idle);
    };
    arm();
    source.on('error', (error) =>
      watchdog.destroy(
        new RegistryError('unreachable', `${host}: blob ${digest}: ${(error as Error).message}`),
      ),
    );
    source.pipe(watchdog);
    return { stream: watchdog, size };
  }

  private async blobResponse(repository: string, digest: string): Promise<Response> {
    checkRepository(repository);
    if (!DIGEST.test(digest))
      throw new RegistryError('protocol', `'${digest}' is not a sha256 digest`);
    return this.request(`/v2/${repository}/blobs/${digest}`, {
      scope: pullScope(repository),
      what: `blob ${repository}@${digest}`,
      stream: true,
    });
  }

  private async json<T>(res: Response, what: string): Promise<T> {
    const body = await this.readAll(res, what);
    try {
      return JSON.parse(body.toString('utf8')) as T;
    } catch {
      throw new RegistryError('protocol', `${this.host}: ${what} is not JSON`);
    }
  }

  private async readAll(res: Response, what: string): Promise<Buffer> {
    const length = Number(res.headers.get('content-length') ?? 0);
    if (length > MAX_DOCUMENT_BYTES) {
      await res.body?.cancel();
      throw new RegistryError('protocol', `${this.host}: ${what} is larger than 8 MiB`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      for await (const chunk of res.body ?? []) {
        total += chunk.length;
        if (total > MAX_DOCUMENT_BYTES) {
          throw new RegistryError('protocol', `${this.host}: ${what} is larger than 8 MiB`);
        }
        chunks.push(Buffer.from(chunk));
      }
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      throw this.networkError(error, what);
    }
    return Buffer.concat(chunks);
  }

  private authorization(scope: string): string | undefined {
    const token = this.tokens.get(scope);
    if (token && token.expiresAt > Date.now()) return `Bearer ${token.value}`;
    if (this.basic && this.options.credentials) return basicHeader(this.options.credentials);
    return undefined;
  }

  private async request(
    pathAndQuery: string,
    opts: { scope: string; accept?: string; what?: string; stream?: boolean },
  ): Promise<Response> {
    const what = opts.what ?? (pathAndQuery.split('?')[0] as string);
    let res = await this.fetchOnce(pathAndQuery, opts, what);
    if (res.status === 401) {
      const challenge = parseChallenge(res.headers.get('www-authenticate'));
      await res.body?.cancel();
      if (!challenge) {
        throw new RegistryError(
          'unauthorized',
          `${this.host}: ${what}: 401 without a usable challenge`,
          401,
        );
      }
      if (!this.options.credentials && challenge.scheme === 'basic') {
        throw new RegistryError('unauthorized', `${this.host} requires credentials (401)`, 401);
      }
      if (challenge.scheme === 'basic') this.basic = true;
      else await this.fetchToken(challenge.params, opts.scope);
      res = await this.fetchOnce(pathAndQuery, opts, what);
      if (res.status === 401) {
        const detail = await describeErrorBody(res);
        throw new RegistryError(
          'unauthorized',
          this.options.credentials
            ? `${this.host} refused the credentials for ${what} (401${detail ? ` ${detail}` : ''})`
            : `${this.host} requires credentials for ${what} (401)`,
          401,
        );
      }
    }
    if (res.ok) return res;
    const detail = await describeErrorBody(res);
    const suffix = detail ? ` ${detail}` : '';
    if (res.status === 403) {
      throw new RegistryError(
        'forbidden',
        `${this.host}: access to ${what} denied (403${suffix})`,
        403,
      );
    }
    if (res.status === 404) {
      throw new RegistryError('not_found', `${this.host}: ${what} not found (404${suffix})`, 404);
    }
    throw new RegistryError(
      'protocol',
      `${this.host}: ${what}: HTTP ${res.status}${suffix}`,
      res.status,
    );
  }

  private async fetchOnce(
    pathAndQuery: string,
    opts: { scope: string; accept?: string; stream?: boolean },
    what: string,
  ): Promise<Response> {
    const headers: Record<string, string> = {
      'user-agent': this.options.userAgent ?? 'drydock',
    };
    if (opts.accept) headers.accept = opts.accept;
    const auth = this.authorization(opts.scope);
    if (auth) headers.authorization = auth;
    // The timer bounds the headers; for documents it also bounds reading the body (it keeps
    // running, unref'd), for blobs the idle watchdog takes over once the headers are in.
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    timer.unref();
    try {
      const { rules, dispatcher } = await this.networkRules();
      // Redirects (blob storage, CDNs) are followed by hand: each target is checked against the
      // egress rules and the credentials stay with the registry's origin.
      const res = await safeFetch(
        `${this.base}${pathAndQuery}`,
        { headers, signal: controller.signal },
        { rules, dispatcher, credentialOrigin: this.origin },
      );
      if (opts.stream) clearTimeout(timer);
      return res;
    } catch (error) {
      clearTimeout(timer);
      throw this.networkError(error, what);
    }
  }

  /** The egress rules (the registry's own ranges unless given) and one dispatcher obeying them. */
  private networkRules(): Promise<{ rules: EgressRules; dispatcher: Dispatcher }> {
    this.network ??= (async () => {
      const rules = this.options.egress ?? {
        allowRanges: await rangesOfHost(new URL(this.origin).hostname),
      };
      return { rules, dispatcher: egressAgent(rules) };
    })();
    return this.network;
  }

  private networkError(error: unknown, what: string): RegistryError {
    if (error instanceof RegistryError) return error;
    if (error instanceof EgressError) {
      return new RegistryError(
        'egress_refused',
        `${this.host}: ${what}: refused (${error.message})`,
      );
    }
    const e = error as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'AbortError' || e.name === 'TimeoutError') {
      return new RegistryError(
        'timeout',
        `${this.host}: ${what}: no answer within ${this.timeoutMs / 1000} s`,
      );
    }
    const cause = e.cause?.code ?? e.cause?.message ?? e.message;
    return new RegistryError('unreachable', `${this.host} is unreachable (${cause})`);
  }

  private async fetchToken(params: Record<string, string>, scope: string): Promise<void> {
    const realm = params.realm;
    if (!realm) throw new RegistryError('protocol', `${this.host}: bearer challenge without realm`);
    let url: URL;
    try {
      url = new URL(realm, this.base);
    } catch {
      throw new RegistryError('protocol', `${this.host}: bearer challenge with an invalid realm`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new RegistryError(
        'egress_refused',
        `${this.host}: token realm ${url.protocol} refused`,
      );
    }
    // Credentials go to the registry's own origin or to an https token service, nowhere else.
    if (this.options.credentials && url.origin !== this.origin && url.protocol !== 'https:') {
      throw new RegistryError(
        'egress_refused',
        `${this.host}: the token service ${url.origin} is neither https nor the registry's own origin: credentials are not sent there`,
      );
    }
    if (params.service) url.searchParams.set('service', params.service);
    const wanted = params.scope ?? scope;
    if (wanted) for (const s of wanted.split(' ')) url.searchParams.append('scope', s);
    const headers: Record<string, string> = {};
    if (this.options.credentials) headers.authorization = basicHeader(this.options.credentials);
    let res: Response;
    try {
      const { rules, dispatcher } = await this.networkRules();
      res = await safeFetch(
        url,
        { headers, signal: AbortSignal.timeout(this.timeoutMs) },
        { rules, dispatcher, credentialOrigin: url.origin },
      );
    } catch (error) {
      throw this.networkError(error, `token service ${url.host}`);
    }
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw new RegistryError(
        'unauthorized',
        `${this.host}: the token service ${url.host} refused the credentials (${res.status})`,
        res.status,
      );
    }
    if (!res.ok) {
      throw new RegistryError(
        'protocol',
        `${this.host}: token service ${url.host}: HTTP ${res.status} ${await describeErrorBody(res)}`,
      );
    }
    let body: { token?: unknown; access_token?: unknown; expires_in?: unknown } = {};
    try {
      body = JSON.parse((await this.readAll(res, 'token')).toString('utf8'));
    } catch (error) {
      if (error instanceof RegistryError) throw error;
    }
    const value = [body.token, body.access_token].find(
      (v): v is string => typeof v === 'string' && v.length > 0 && v.length < 16_384,
    );
    if (!value)
      throw new RegistryError('protocol', `${this.host}: token service answered without a token`);
    const lifetime = Math.min(
      86_400,
      Math.max(10, typeof body.expires_in === 'number' ? body.expires_in : 60),
    );
    // Renew a little early so a long pull does not start with a token about to expire.
    this.tokens.set(scope, { value, expiresAt: Date.now() + (lifetime - 5) * 1000 });
  }
}

const pullScope = (repository: string) => `repository:${repository}:pull`;

/** The strings of a JSON list a registry sent (anything else in it is ignored). */
const stringList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

function checkRepository(repository: string): void {
  if (!REPO.test(repository)) {
    throw new RegistryError('protocol', `'${repository}' is not a valid repository name`);
  }
}

/** The `rel="next"` target of a Link header (RFC 5988), if any. */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (m) return m[1];
  }
  return undefined;
}
