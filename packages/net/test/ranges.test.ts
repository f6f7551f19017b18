import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EgressError, egressRefusal, rangeOf, rangesOfHost, safeFetch } from '../src/index.ts';

describe('address ranges', () => {
  it('names loopback, link-local, private, reserved and public addresses, v4 and v6', () => {
    const kinds = Object.fromEntries(
      [
        '127.0.0.1',
        '127.8.9.1',
        '::1',
        '169.254.169.254',
        'fe80::1',
        '10.1.2.3',
        '172.31.255.255',
        '172.32.0.1',
        '192.168.1.1',
        '100.64.0.1',
        'fd00::5',
        '0.0.0.0',
        '::',
        '224.0.0.1',
        '8.8.8.8',
        '2606:4700::1111',
        '::ffff:127.0.0.1',
        '::ffff:a9fe:a9fe',
        '64:ff9b::10.0.0.1',
        '[::1]',
      ].map((a) => [a, rangeOf(a).name]),
    );
    expect(kinds).toEqual({
      '127.0.0.1': 'loopback',
      '127.8.9.1': 'loopback',
      '::1': 'loopback',
      '169.254.169.254': 'link-local',
      'fe80::1': 'link-local',
      '10.1.2.3': 'private 10.0.0.0/8',
      '172.31.255.255': 'private 172.16.0.0/12',
      '172.32.0.1': 'public',
      '192.168.1.1': 'private 192.168.0.0/16',
      '100.64.0.1': 'private 100.64.0.0/10',
      'fd00::5': 'private fc00::/7',
      '0.0.0.0': 'unspecified',
      '::': 'unspecified',
      '224.0.0.1': 'multicast',
      '8.8.8.8': 'public',
      '2606:4700::1111': 'public',
      '::ffff:127.0.0.1': 'loopback',
      '::ffff:a9fe:a9fe': 'link-local',
      '64:ff9b::10.0.0.1': 'private 10.0.0.0/8',
      '[::1]': 'loopback',
    });
    expect(() => rangeOf('example.com')).toThrow(/not an IP address/);
  });

  it('refuses non-public addresses unless their range is allowed', () => {
    expect(egressRefusal('8.8.8.8')).toBeUndefined();
    expect(egressRefusal('169.254.169.254')).toBe('169.254.169.254 is a link-local address');
    expect(egressRefusal('10.0.0.9', { allowRanges: ['private 10.0.0.0/8'] })).toBeUndefined();
    expect(egressRefusal('192.168.0.9', { allowRanges: ['private 10.0.0.0/8'] })).toMatch(
      /private 192\.168/,
    );
    expect(egressRefusal('127.0.0.1', { allowPrivate: true })).toBeUndefined();
    // Never, whatever is allowed: 0.0.0.0 reaches the local host.
    expect(egressRefusal('0.0.0.0', { allowPrivate: true })).toMatch(/unspecified/);
  });

  it('knows the ranges a host name resolves to', async () => {
    expect(await rangesOfHost('localhost')).toContain('loopback');
    expect(await rangesOfHost('127.0.0.1')).toEqual(['loopback']);
  });
});

describe('safeFetch', () => {
  let server: Server;
  let base: string;
  const seen: { url: string; authorization?: string }[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ url: req.url ?? '', authorization: req.headers.authorization });
      if (req.url === '/to-metadata') {
        res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
      } else if (req.url === '/to-localhost-name') {
        res.writeHead(302, { location: `http://localhost:${port()}/ok` }).end();
      } else if (req.url === '/loop') {
        res.writeHead(302, { location: '/loop' }).end();
      } else res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${port()}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  const port = () => (server.address() as AddressInfo).port;

  it('refuses loopback unless allowed, checked on the connected address', async () => {
    await expect(safeFetch(`${base}/ok`, {}, { rules: {} })).rejects.toThrow(
      /127\.0\.0\.1.*loopback/,
    );
    // A name is checked on what it resolves to.
    await expect(safeFetch(`http://localhost:${port()}/ok`, {}, { rules: {} })).rejects.toThrow(
      EgressError,
    );
    const ok = await safeFetch(`${base}/ok`, {}, { rules: { allowRanges: ['loopback'] } });
    expect(await ok.text()).toBe('ok');
  });

  it('checks every redirect, bounds them, and keeps credentials on their origin', async () => {
    const rules = { allowRanges: ['loopback'] };
    await expect(safeFetch(`${base}/to-metadata`, {}, { rules })).rejects.toThrow(
      /169\.254\.169\.254 is a link-local address/,
    );
    await expect(safeFetch(`${base}/loop`, {}, { rules })).rejects.toThrow(/more than 5 redirects/);
    seen.length = 0;
    const res = await safeFetch(
      `${base}/to-localhost-name`,
      { headers: { authorization: 'Basic c2VjcmV0' } },
      { rules },
    );
    expect(await res.text()).toBe('ok');
    // The first hop got the credentials; the other origin (localhost:port) did not.
    expect(seen).toEqual([
      { url: '/to-localhost-name', authorization: 'Basic c2VjcmV0' },
      { url: '/ok', authorization: undefined },
    ]);
    await expect(safeFetch('file:///etc/passwd', {}, { rules })).rejects.toThrow(/http and https/);
  });
});
