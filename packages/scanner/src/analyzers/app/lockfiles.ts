import { type AppAnalyzer, type AppRecord, purlRecord } from './types.ts';

/**
 * Lock files of the ecosystems whose packages are only declared in an image (the build fetched
 * them; the image keeps the lock file beside the application): every record is `declared`.
 */

const base = (path: string) => path.slice(path.lastIndexOf('/') + 1);

const declared = (
  type: AppRecord['type'],
  name: string,
  version: string,
  path: string,
  purlName?: { namespace?: string; name: string },
): AppRecord => purlRecord(type, name, version, path, { declared: true, purl: purlName ?? {} });

/** Elixir/Erlang: mix.lock entries from Hex (`"name": {:hex, :name, "1.2.3", …}`). */
export const hexAnalyzer: AppAnalyzer = {
  name: 'hex',
  version: '1',
  matches: (path) => base(path) === 'mix.lock',
  analyze(path, data) {
    const out: AppRecord[] = [];
    for (const m of data.toString('utf8').matchAll(/\{:hex,\s*:"?([\w-]+)"?,\s*"([^"]+)"/g)) {
      out.push(declared('hex', m[1] as string, m[2] as string, path));
    }
    return out;
  },
};

/** Dart/Flutter: pubspec.lock packages from a pub server (`source: hosted`). */
export const pubAnalyzer: AppAnalyzer = {
  name: 'pub',
  version: '1',
  matches: (path) => base(path) === 'pubspec.lock',
  analyze(path, data) {
    const out: AppRecord[] = [];
    let inPackages = false;
    let name: string | undefined;
    let fields: Record<string, string> = {};
    const flush = () => {
      if (name && fields.version && fields.source === 'hosted') {
        out.push(declared('pub', name, fields.version, path));
      }
      name = undefined;
      fields = {};
    };
    for (const line of data.toString('utf8').split(/\r?\n/)) {
      if (/^\S/.test(line)) {
        flush();
        inPackages = line.trim() === 'packages:';
        continue;
      }
      if (!inPackages) continue;
      const pkg = /^ {2}([\w-]+):\s*$/.exec(line);
      if (pkg) {
        flush();
        name = pkg[1];
        continue;
      }
      const field = /^ {4}(version|source):\s*"?([^"\s]+)"?/.exec(line);
      if (field) fields[field[1] as string] = field[2] as string;
    }
    flush();
    return out;
  },
};

/** `https://github.com/apple/swift-nio.git` → `github.com/apple/swift-nio` (OSV's SwiftURL). */
export const swiftUrl = (location: string) =>
  location
    .trim()
    .replace(/^[a-z+]+:\/\//i, '')
    .replace(/^git@([^:]+):/, '$1/')
    .replace(/\.git$/, '')
    .replace(/\/$/, '');

/** Swift: Package.resolved (v1-v3) pins with a version, and CocoaPods' Podfile.lock. */
export const swiftAnalyzer: AppAnalyzer = {
  name: 'swift',
  version: '1',
  matches: (path) => base(path) === 'Package.resolved' || base(path) === 'Podfile.lock',
  analyze(path, data) {
    const text = data.toString('utf8');
    if (base(path) === 'Podfile.lock') {
      const out: AppRecord[] = [];
      let inPods = false;
      for (const line of text.split(/\r?\n/)) {
        if (/^\S/.test(line)) inPods = line.trim() === 'PODS:';
        const m = inPods ? /^ {2}- "?([^\s/"(]+)(?:\/[^\s"(]+)?"? \(([^)]+)\)/.exec(line) : null;
        if (m && !out.some((r) => r.name === m[1] && r.version === m[2])) {
          out.push(declared('cocoapods', m[1] as string, m[2] as string, path));
        }
      }
      return out;
    }
    const json = JSON.parse(text) as {
      pins?: Pin[];
      object?: { pins?: Pin[] };
    };
    const out: AppRecord[] = [];
    for (const pin of json.pins ?? json.object?.pins ?? []) {
      const location = pin.location ?? pin.repositoryURL;
      const version = pin.state?.version;
      if (!location || !version) continue; // a branch or revision pin has no version
      const name = swiftUrl(location);
      const slash = name.lastIndexOf('/');
      out.push(
        declared('swift', name, version, path, {
          namespace: name.slice(0, slash),
          name: name.slice(slash + 1),
        }),
      );
    }
    return out;
  },
};

interface Pin {
  location?: string;
  repositoryURL?: string;
  state?: { version?: string | null };
}

/** Haskell: stack.yaml.lock (`hackage: name-1.2.3@sha256:…`) and cabal.project.freeze. */
export const haskellAnalyzer: AppAnalyzer = {
  name: 'haskell',
  version: '1',
  matches: (path) => base(path) === 'stack.yaml.lock' || base(path) === 'cabal.project.freeze',
  analyze(path, data) {
    const text = data.toString('utf8');
    const out: AppRecord[] = [];
    const seen = new Set<string>();
    const add = (name: string, version: string) => {
      if (seen.has(`${name}@${version}`)) return;
      seen.add(`${name}@${version}`);
      out.push(declared('hackage', name, version, path));
    };
    if (base(path) === 'stack.yaml.lock') {
      for (const m of text.matchAll(
        /hackage:\s*([A-Za-z0-9][A-Za-z0-9-]*?)-(\d+(?:\.\d+)*)(?:@|\s|$)/gm,
      )) {
        add(m[1] as string, m[2] as string);
      }
    } else {
      for (const m of text.matchAll(/any\.([A-Za-z0-9][A-Za-z0-9-]*)\s*==\s*(\d+(?:\.\d+)*)/g)) {
        add(m[1] as string, m[2] as string);
      }
    }
    return out;
  },
};

/** `zlib/1.2.13@user/channel#rev%time` → zlib, 1.2.13. */
function conanRef(ref: string): { name: string; version: string } | undefined {
  const m = /^([^/@#\s]+)\/([^@#%\s]+)/.exec(ref);
  return m ? { name: m[1] as string, version: m[2] as string } : undefined;
}

/** C/C++: conan.lock, Conan 1 (`graph_lock.nodes[].ref`) and Conan 2 (`requires` lists). */
export const conanAnalyzer: AppAnalyzer = {
  name: 'conan',
  version: '1',
  matches: (path) => base(path) === 'conan.lock',
  analyze(path, data) {
    const json = JSON.parse(data.toString('utf8')) as {
      graph_lock?: { nodes?: Record<string, { ref?: string }> };
      requires?: string[];
      build_requires?: string[];
      python_requires?: string[];
    };
    const refs = json.graph_lock
      ? Object.values(json.graph_lock.nodes ?? {}).map((n) => n.ref ?? '')
      : [...(json.requires ?? []), ...(json.build_requires ?? [])];
    return refs
      .map(conanRef)
      .filter((r): r is { name: string; version: string } => r !== undefined)
      .map((r) => declared('conan', r.name, r.version, path));
  },
};

/**
 * Go: go.mod `require` lines (declared; binaries with build info say what was built). A
 * `replace` with a version substitutes the module; one pointing at a local folder has no version
 * and is left out.
 */
export const goModAnalyzer: AppAnalyzer = {
  name: 'gomod',
  version: '1',
  matches: (path) => base(path) === 'go.mod',
  analyze(path, data) {
    const requires = new Map<string, string>();
    const replaces = new Map<string, { name: string; version?: string }>();
    let block: 'require' | 'replace' | undefined;
    for (const raw of data.toString('utf8').split(/\r?\n/)) {
      const line = raw.replace(/\/\/.*$/, '').trim();
      if (!line) continue;
      if (block && line === ')') {
        block = undefined;
        continue;
      }
      const open = /^(require|replace)\s*\($/.exec(line);
      if (open) {
        block = open[1] as 'require' | 'replace';
        continue;
      }
      const single = /^(require|replace)\s+(.*)$/.exec(line);
      const kind = single ? (single[1] as 'require' | 'replace') : block;
      const body = single ? (single[2] as string) : line;
      if (kind === 'require') {
        const [name, version] = body.split(/\s+/);
        if (name && version) requires.set(name, version);
      } else if (kind === 'replace') {
        const [from, to] = body.split('=>').map((s) => s.trim().split(/\s+/));
        if (from?.[0] && to?.[0]) replaces.set(from[0], { name: to[0], version: to[1] });
      }
    }
    const out: AppRecord[] = [];
    for (const [name, version] of requires) {
      const replaced = replaces.get(name);
      if (replaced && !replaced.version) continue; // a local folder: nothing to look up
      const module = replaced ?? { name, version };
      const slash = module.name.lastIndexOf('/');
      out.push(
        declared('golang', module.name, module.version as string, path, {
          ...(slash > 0 ? { namespace: module.name.slice(0, slash).toLowerCase() } : {}),
          name: module.name.slice(slash + 1).toLowerCase(),
        }),
      );
    }
    return out;
  },
};
