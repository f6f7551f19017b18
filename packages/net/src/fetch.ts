import dns, { type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import {
  Agent,
  type Dispatcher,
  type RequestInit,
  type Response,
  fetch as undiciFetch,
} from 'undici';
import { type EgressRules, egressRefusal, rangeOf } from './ranges.ts';

/** A request the egress rules do not allow (the message says which address and why). */
export class EgressError extends Error {
  readonly code = 'EGRESS_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'EgressError';
  }
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A DNS lookup that only ever hands allowed addresses to the socket: the check happens on the
 * address actually connected to, so a name that resolves differently the second time (DNS
 * rebinding) cannot slip through.
 */
export function guardedLookup(rules: EgressRules) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback) => {
    dns.lookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const allowed = addresses.filter((a) => !egressRefusal(a.address, rules));
      if (allowed.length === 0) {
        const first = addresses[0];
        const reason = first ? egressRefusal(first.address, rules) : 'no address';
        return callback(new EgressError(`${hostname} resolves to ${reason}`) as never, []);
      }
      if (options.all) return callback(null, allowed);
      const pick = allowed[0] as LookupAddress;
      return callback(null, pick.address, pick.family);
    });
  };
}

/** An HTTP dispatcher whose every connection obeys the egress rules. */
export function egressAgent(rules: EgressRules): Agent {
  return new Agent({ connect: { lookup: guardedLookup(rules) as never } });
}

/** Refuses a URL the rules do not allow before anything is sent (IP literals skip DNS). */
export function checkUrl(url: URL, rules: EgressRules): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EgressError(`${url.protocol} URLs are not fetched (http and https only)`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host)) {
    const refusal = egressRefusal(host, rules);
    if (refusal) throw new EgressError(`${url.host}: ${refusal}`);
  } else if (host === 'localhost' || host.endsWith('.localhost')) {
    const refusal = egressRefusal('127.0.0.1', rules);
    if (refusal) throw new EgressError(`${url.host}: ${refusal}`);
  }
}

/** The non-public ranges a host name or address resolves to (its "own" networks). */
export async function rangesOfHost(host: string): Promise<string[]> {
  const bare = host.replace(/^\[|\]$/g, '');
  const addresses = isIP(bare)
    ? [bare]
    : (await dns.promises.lookup(bare, { all: true }).catch(() => [])).map((a) => a.address);
  const names = new Set<string>();
  for (const address of addresses) {
    const range = rangeOf(address);
    if (range.kind !== 'public') names.add(range.name);
  }
  return [...names];
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers that carry credentials: they only ever go to `credentialOrigin`. */
const SENSITIVE = ['authorization', 'cookie', 'proxy-authorization'];

export interface SafeRequestInit {
  method?: string;
  headers?: Record<string, string>;
  body?: RequestInit['body'];
  signal?: AbortSignal;
}

export interface SafeFetchOptions {
  rules: EgressRules;
  /** Reuse one dispatcher for many requests (its connections obey the same rules). */
  dispatcher?: Dispatcher;
  /** Redirects followed at most (default 5); https → http is never followed. */
  maxRedirects?: number;
  /** The only origin that receives credential headers (default: the first URL's). */
  credentialOrigin?: string;
}

/**
 * `fetch` under egress rules: every address connected to is checked, redirects are followed by
 * hand (each target checked, at most `maxRedirects`, never from https to http), and credential
 * headers are dropped as soon as a hop leaves `credentialOrigin`.
 */
export async function safeFetch(
  input: string | URL,
  init: SafeRequestInit,
  options: SafeFetchOptions,
): Promise<Response> {
  let url = new URL(input);
  const credentialOrigin = options.credentialOrigin ?? url.origin;
  const maxRedirects = options.maxRedirects ?? 5;
  const dispatcher = options.dispatcher ?? egressAgent(options.rules);
  for (let hop = 0; ; hop++) {
    checkUrl(url, options.rules);
    const headers = { ...(init.headers ?? {}) };
    if (url.origin !== credentialOrigin) {
      for (const name of Object.keys(headers)) {
        if (SENSITIVE.includes(name.toLowerCase())) delete headers[name];
      }
    }
    let res: Response;
    try {
      res = await undiciFetch(url, { ...init, headers, redirect: 'manual', dispatcher });
    } catch (error) {
      const cause = (error as { cause?: unknown }).cause;
      if (cause instanceof EgressError) throw new EgressError(cause.message);
      throw error;
    }
    if (!REDIRECTS.has(res.status)) return res;
    const location = res.headers.get('location');
    await res.body?.cancel().catch(() => undefined);
    if (!location) throw new EgressError(`${url.host} answered ${res.status} without a Location`);
    if (hop >= maxRedirects) throw new EgressError(`more than ${maxRedirects} redirects`);
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new EgressError(`${url.host} redirects to an invalid URL`);
    }
    if (url.protocol === 'https:' && next.protocol !== 'https:') {
      throw new EgressError(`${url.host} redirects from https to ${next.protocol}//${next.host}`);
    }
    url = next;
  }
}
