import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

const valid = {
  DATABASE_URL: 'postgresql://u:p@127.0.0.1:5432/drydock',
  DRYDOCK_SECRET_KEY: 'k'.repeat(32),
};

describe('loadConfig', () => {
  it('applies defaults and freezes the result', () => {
    const config = loadConfig(valid);
    expect(config.port).toBe(8080);
    expect(config.host).toBe('127.0.0.1');
    expect(config.databaseUrl).toBe(valid.DATABASE_URL);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('coerces PORT', () => {
    expect(loadConfig({ ...valid, PORT: '9000' }).port).toBe(9000);
  });

  it('refuses to start without a secret key, naming the variable', () => {
    expect(() => loadConfig({ DATABASE_URL: valid.DATABASE_URL })).toThrowError(ConfigError);
    try {
      loadConfig({ DATABASE_URL: valid.DATABASE_URL });
    } catch (error) {
      expect((error as ConfigError).message).toMatch(/DRYDOCK_SECRET_KEY: is required/);
    }
  });

  it('rejects a short secret and a non-postgres DATABASE_URL, listing both', () => {
    try {
      loadConfig({ DATABASE_URL: 'mysql://x', DRYDOCK_SECRET_KEY: 'short', PORT: 'abc' });
      expect.unreachable();
    } catch (error) {
      const issues = (error as ConfigError).issues.join('\n');
      expect(issues).toMatch(/DATABASE_URL: must be a postgresql/);
      expect(issues).toMatch(/DRYDOCK_SECRET_KEY: must be at least 32/);
      expect(issues).toMatch(/PORT/);
    }
  });

  it('trusts proxies by hop count or address, never blindly', () => {
    expect(loadConfig(valid).trustProxy).toBe(false);
    expect(loadConfig({ ...valid, DRYDOCK_TRUST_PROXY: '1' }).trustProxy).toBe(1);
    expect(
      loadConfig({ ...valid, DRYDOCK_TRUST_PROXY: '10.0.0.5, 10.0.1.0/24, ::1' }).trustProxy,
    ).toEqual(['10.0.0.5', '10.0.1.0/24', '::1']);
    expect(() => loadConfig({ ...valid, DRYDOCK_TRUST_PROXY: 'true' })).toThrow(
      /DRYDOCK_TRUST_PROXY: `true` would believe any X-Forwarded-For/,
    );
    expect(() => loadConfig({ ...valid, DRYDOCK_TRUST_PROXY: '10.0.0.0/33,proxy' })).toThrow(
      /not an address or CIDR range: 10\.0\.0\.0\/33, proxy/,
    );
  });

  it('reads advisory mirror folders from DRYDOCK_ADVISORY_MIRRORS, else the data folder', () => {
    expect(loadConfig({ ...valid, DRYDOCK_DATA_DIR: '/d' }).advisoryMirrors).toEqual([
      '/d/advisories',
    ]);
    expect(
      loadConfig({ ...valid, DRYDOCK_ADVISORY_MIRRORS: '/srv/osv:/srv/kev' }).advisoryMirrors,
    ).toEqual(['/srv/osv', '/srv/kev']);
  });

  it('refreshes from the public OSV bucket, CISA KEV feed and CVE service unless told otherwise', () => {
    const base = loadConfig(valid);
    expect(base.advisoryFeeds).toEqual({
      source: 'https://osv-vulnerabilities.storage.googleapis.com',
      kev: 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json',
      cve: 'https://cveawg.mitre.org/api/cve/{id}',
    });
    expect(base.advisoryRefresh).toEqual({ ...base.advisoryFeeds, everyHours: 24 });
    // An air-gapped mirror folder carries its own kev/ and nvd/: no online feed by default.
    expect(loadConfig({ ...valid, DRYDOCK_ADVISORY_SOURCE: '/srv/mirror' }).advisoryFeeds).toEqual({
      source: '/srv/mirror',
      kev: null,
      cve: null,
    });
    const mirror = loadConfig({
      ...valid,
      DRYDOCK_ADVISORY_SOURCE: 'https://mirror.corp/osv',
      DRYDOCK_ADVISORY_KEV: 'off',
      DRYDOCK_ADVISORY_CVE: 'https://mirror.corp/cve/{id}.json',
      DRYDOCK_ADVISORY_REFRESH: '6h',
    });
    expect(mirror.advisoryRefresh).toEqual({
      source: 'https://mirror.corp/osv',
      kev: null,
      cve: 'https://mirror.corp/cve/{id}.json',
      everyHours: 6,
    });
    expect(loadConfig({ ...valid, DRYDOCK_ADVISORY_REFRESH: 'off' }).advisoryRefresh).toBeNull();
    expect(() =>
      loadConfig({ ...valid, DRYDOCK_ADVISORY_CVE: 'https://mirror.corp/cve/' }),
    ).toThrow(/DRYDOCK_ADVISORY_CVE: a URL with \{id\}/);
  });
});
