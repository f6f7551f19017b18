import type { OsFamily, OsInfo, ScanWarning } from '@drydock/contract';
import { type ImageFs, SymlinkLoopError } from '../fs/image-fs.ts';

/** Files read to identify the distribution, in order of preference. */
export const OS_FILES = [
  'etc/os-release',
  'usr/lib/os-release',
  'etc/alpine-release',
  'etc/debian_version',
  'etc/redhat-release',
  'etc/centos-release',
  'etc/fedora-release',
  'etc/system-release',
];

/**
 * Red Hat's image content manifests: the repositories ("content sets") the image's RPMs were
 * installed from, which name the product streams their advisories are published for.
 */
export const CONTENT_MANIFEST =
  /^(root\/buildinfo\/content_manifests|usr\/share\/buildinfo)\/[^/]+\.json$/;

/** os-release CPE_NAME vendor:product, for an ID we do not know. */
const CPE_FAMILIES: Record<string, OsFamily> = {
  'redhat:enterprise_linux': 'rhel',
  'fedoraproject:fedora': 'fedora',
  'amazon:amazon_linux': 'amazon',
  'oracle:linux': 'oracle',
  'centos:centos': 'centos',
  'rocky:rocky': 'rocky',
  'almalinux:almalinux': 'almalinux',
  'suse:sles': 'suse',
  'opensuse:leap': 'opensuse',
};

/** `cpe:/o:redhat:enterprise_linux:9::baseos` or `cpe:2.3:o:redhat:enterprise_linux:9:…`. */
function familyOfCpe(cpe: string | undefined): OsFamily | undefined {
  const parts = (cpe ?? '').replace(/^cpe:2\.3:/, 'cpe:/').split(':');
  return parts.length >= 4 ? CPE_FAMILIES[`${parts[2]}:${parts[3]}`.toLowerCase()] : undefined;
}

/** Every content set named by the image's content manifests (ICM JSON), sorted. */
function contentSets(fs: ImageFs, read: Reader): string[] {
  const sets = new Set<string>();
  for (const dir of ['root/buildinfo/content_manifests', 'usr/share/buildinfo']) {
    let entries: ReturnType<ImageFs['list']>;
    try {
      entries = fs.list(dir);
    } catch (error) {
      if (error instanceof SymlinkLoopError) continue;
      throw error;
    }
    for (const [name, node] of entries) {
      if (node.type !== 'file' || !name.endsWith('.json')) continue;
      try {
        const value = JSON.parse(read(`${dir}/${name}`) ?? 'null') as { content_sets?: unknown };
        for (const set of Array.isArray(value?.content_sets) ? value.content_sets : []) {
          if (typeof set === 'string' && set.length < 200) sets.add(set);
        }
      } catch {
        // Not JSON: not a content manifest.
      }
    }
  }
  return [...sets].sort();
}

const FAMILIES: Record<string, OsFamily> = {
  alpine: 'alpine',
  debian: 'debian',
  ubuntu: 'ubuntu',
  rhel: 'rhel',
  centos: 'centos',
  rocky: 'rocky',
  almalinux: 'almalinux',
  fedora: 'fedora',
  amzn: 'amazon',
  ol: 'oracle',
  sles: 'suse',
  sled: 'suse',
  sle_hpc: 'suse',
  sles_sap: 'suse',
  'sle-micro': 'suse',
  'opensuse-leap': 'opensuse',
  'opensuse-tumbleweed': 'opensuse',
  opensuse: 'opensuse',
  photon: 'photon',
  mariner: 'mariner',
  azurelinux: 'azurelinux',
  wolfi: 'wolfi',
  chainguard: 'chainguard',
  alpaquita: 'alpaquita',
  minimos: 'minimos',
  openeuler: 'openeuler',
  mageia: 'mageia',
  arch: 'arch',
  gentoo: 'gentoo',
};

export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    let value = match[2] as string;
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1).replace(/\\(["'$`\\])/g, '$1');
    out[match[1] as string] = value;
  }
  return out;
}

type Reader = (path: string) => string | undefined;

function reader(fs: ImageFs, warn: (w: ScanWarning) => void): Reader {
  return (path) => {
    try {
      return fs.readFile(path)?.toString('utf8');
    } catch (error) {
      if (!(error instanceof SymlinkLoopError)) throw error;
      warn({ code: 'symlink_loop', message: `OS detection: ${error.message}`, path });
      return undefined;
    }
  };
}

const RELEASE_PATTERNS: [RegExp, OsFamily][] = [
  [/^Red Hat Enterprise Linux.* release (\d[\w.]*)/i, 'rhel'],
  [/^CentOS.* release (\d[\w.]*)/i, 'centos'],
  [/^Rocky Linux.* release (\d[\w.]*)/i, 'rocky'],
  [/^AlmaLinux.* release (\d[\w.]*)/i, 'almalinux'],
  [/^Fedora.* release (\d[\w.]*)/i, 'fedora'],
  [/^Amazon Linux.* release (\d[\w.]*)/i, 'amazon'],
  [/^Oracle Linux.* release (\d[\w.]*)/i, 'oracle'],
];

/**
 * Identifies the distribution from os-release (ID, VERSION_ID, VERSION_CODENAME), refined by the
 * distribution's own release file: Alpine's full version, Debian's release for testing/sid.
 */
export function detectOs(
  fs: ImageFs,
  warn: (w: ScanWarning) => void = () => {},
): OsInfo | undefined {
  const read = reader(fs, warn);
  for (const file of ['etc/os-release', 'usr/lib/os-release']) {
    const text = read(file);
    if (!text) continue;
    const fields = parseOsRelease(text);
    const id = (fields.ID ?? '').toLowerCase();
    const family =
      FAMILIES[id] ??
      familyOfCpe(fields.CPE_NAME) ??
      (fields.ID_LIKE ?? '')
        .split(/\s+/)
        .map((like) => FAMILIES[like.toLowerCase()])
        .find(Boolean);
    if (!family) {
      // A distribution we do not know: still named, so its packages are reported as not checked.
      if (!id) continue;
      return {
        family: 'unknown',
        version: fields.VERSION_ID ?? '',
        prettyName: fields.PRETTY_NAME || fields.NAME || id,
        source: file,
      };
    }
    let version = fields.VERSION_ID ?? '';
    // openEuler names its LTS releases and service packs in VERSION: "22.03 (LTS-SP1)".
    const lts =
      family === 'openeuler' ? /\((LTS[^)]*)\)/.exec(fields.VERSION ?? '')?.[1] : undefined;
    if (lts) version = `${version}-${lts}`;
    if (family === 'alpine') version = read('etc/alpine-release')?.trim() || version;
    if (family === 'debian' && !version) {
      version = read('etc/debian_version')?.trim() ?? '';
    }
    const sets = family === 'rhel' ? contentSets(fs, read) : [];
    return {
      family,
      version,
      ...(sets.length ? { contentSets: sets } : {}),
      ...(fields.VERSION_CODENAME ? { codename: fields.VERSION_CODENAME } : {}),
      ...(fields.PRETTY_NAME ? { prettyName: fields.PRETTY_NAME } : {}),
      source: file,
    };
  }
  const alpine = read('etc/alpine-release')?.trim();
  if (alpine) return { family: 'alpine', version: alpine, source: 'etc/alpine-release' };
  for (const file of [
    'etc/redhat-release',
    'etc/centos-release',
    'etc/fedora-release',
    'etc/system-release',
  ]) {
    const text = read(file)?.trim();
    if (!text) continue;
    for (const [pattern, family] of RELEASE_PATTERNS) {
      const match = pattern.exec(text);
      if (match) return { family, version: match[1] as string, prettyName: text, source: file };
    }
  }
  const debian = read('etc/debian_version')?.trim();
  if (debian) {
    const major = /^(\d+)/.exec(debian)?.[1];
    return { family: 'debian', version: major ?? debian, source: 'etc/debian_version' };
  }
  return undefined;
}
