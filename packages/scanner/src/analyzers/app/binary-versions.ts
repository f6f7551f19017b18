import { purl } from '../../purl.ts';
import type { AppRecord } from './types.ts';

/**
 * Binaries and libraries identified by the version strings their builds embed (as Syft's
 * binary cataloger does): the file name narrows the candidates, a pattern over the bytes finds
 * the version. Files an OS package owns are left out by the scan (the distribution's advisories
 * cover them); what remains was copied or built into the image by hand.
 */
interface BinaryRule {
  name: string;
  /** The CPE vendor:product of the software (NVD's naming), for SBOMs and CPE matching. */
  cpe: string;
  file: RegExp;
  version: RegExp | ((file: string) => RegExp | undefined);
}

const RULES: BinaryRule[] = [
  {
    name: 'openssl',
    cpe: 'openssl:openssl',
    file: /^(openssl|libcrypto\.so(\.[\d.]+)?|libssl\.so(\.[\d.]+)?)$/,
    version: /OpenSSL (\d+\.\d+\.\d+[a-z]{0,2}) +\d{1,2} [A-Z][a-z]{2} \d{4}/,
  },
  {
    name: 'busybox',
    cpe: 'busybox:busybox',
    file: /^busybox$/,
    version: /BusyBox v(\d+\.\d+\.\d+)/,
  },
  { name: 'node', cpe: 'nodejs:node.js', file: /^node$/, version: /node\.js\/v(\d+\.\d+\.\d+)/ },
  {
    name: 'python',
    cpe: 'python:python',
    file: /^(python(\d(\.\d+)?)?|libpython\d\.\d+m?\.so(\.[\d.]+)?)$/,
    // The interpreter embeds its full version (PY_VERSION) next to its build string.
    version: (file) => {
      const minor = /(\d\.\d+)/.exec(file)?.[1];
      return minor
        ? new RegExp(`(?:^|\\0)(${minor.replace('.', '\\.')}\\.\\d+)(?:[abrc]+\\d+)?\\0`)
        : /(?:^|\0)(3\.\d+\.\d+)(?:[abrc]+\d+)?\0/;
    },
  },
  {
    name: 'curl',
    cpe: 'haxx:curl',
    file: /^(curl|libcurl(-gnutls)?\.so(\.[\d.]+)?)$/,
    version: /(?:libcurl\/|curl )(\d+\.\d+\.\d+)/,
  },
  { name: 'nginx', cpe: 'f5:nginx', file: /^nginx$/, version: /nginx\/(\d+\.\d+\.\d+)/ },
  {
    name: 'httpd',
    cpe: 'apache:http_server',
    file: /^(httpd|apache2)$/,
    version: /Apache\/(\d+\.\d+\.\d+)/,
  },
  {
    name: 'postgresql',
    cpe: 'postgresql:postgresql',
    file: /^(postgres|psql|pg_dump)$/,
    version: /\(PostgreSQL\) (\d+(?:\.\d+)+)/,
  },
  {
    name: 'php',
    cpe: 'php:php',
    file: /^(php(\d(\.\d+)?)?|php-fpm(\d(\.\d+)?)?|libphp\d?\.so)$/,
    version: /PHP\/(\d+\.\d+\.\d+)/,
  },
  {
    name: 'haproxy',
    cpe: 'haproxy:haproxy',
    file: /^haproxy$/,
    version: /HAProxy version (\d+\.\d+\.\d+)/,
  },
  {
    name: 'memcached',
    cpe: 'memcached:memcached',
    file: /^memcached$/,
    version: /memcached (\d+\.\d+\.\d+)/,
  },
  {
    name: 'ruby',
    cpe: 'ruby-lang:ruby',
    file: /^(ruby|libruby\.so(\.[\d.]+)?)$/,
    version: /ruby (\d+\.\d+\.\d+)(?:p\d+)? \(\d{4}-\d\d-\d\d/,
  },
  {
    name: 'redis',
    cpe: 'redis:redis',
    file: /^redis-server$/,
    version: /redis_version:(\d+\.\d+\.\d+)|Redis version=(\d+\.\d+\.\d+)/,
  },
];

/** Whether a file's name makes it a candidate for a version-string rule. */
export const isVersionedBinary = (path: string) => {
  const file = path.slice(path.lastIndexOf('/') + 1);
  return RULES.some((r) => r.file.test(file));
};

export function binaryVersionPackages(path: string, data: Buffer): AppRecord[] {
  const file = path.slice(path.lastIndexOf('/') + 1);
  const out: AppRecord[] = [];
  for (const rule of RULES) {
    if (!rule.file.test(file)) continue;
    const pattern = typeof rule.version === 'function' ? rule.version(file) : rule.version;
    if (!pattern) continue;
    // Version strings are ASCII: latin1 keeps one character per byte, so offsets stay cheap.
    const match = pattern.exec(data.toString('latin1'));
    const version = match?.slice(1).find(Boolean);
    if (!version) continue;
    out.push({
      name: rule.name,
      version,
      type: 'binary',
      purl: purl({ type: 'generic', name: rule.name, version }),
      path,
      cpe: `cpe:2.3:a:${rule.cpe}:${version}:*:*:*:*:*:*:*`,
    });
    break;
  }
  return out;
}
