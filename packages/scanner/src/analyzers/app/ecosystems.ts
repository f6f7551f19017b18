import { purl } from '../../purl.ts';
import { type AppAnalyzer, type AppRecord, appRecord } from './types.ts';

const base = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** TOML `[[package]]` arrays of tables with string keys (Cargo.lock). */
function tomlPackages(text: string): Record<string, string>[] {
  const packages: Record<string, string>[] = [];
  let current: Record<string, string> | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('[')) {
      current = line.trim() === '[[package]]' ? {} : undefined;
      if (current) packages.push(current);
      continue;
    }
    const match = /^([A-Za-z_-]+)\s*=\s*"([^"]*)"/.exec(line);
    if (match && current) current[match[1] as string] = match[2] as string;
  }
  return packages;
}

/** Rust: Cargo.lock (declared). Workspace members without a source are the project itself. */
export const cargoAnalyzer: AppAnalyzer = {
  name: 'cargo',
  version: '2',
  matches: (path) => base(path) === 'Cargo.lock',
  analyze(path, data) {
    return tomlPackages(data.toString('utf8'))
      .filter((p) => p.name && p.version && p.source)
      .map((p) => ({
        name: p.name as string,
        version: p.version as string,
        type: 'cargo',
        purl: purl({ type: 'cargo', name: p.name as string, version: p.version as string }),
        path,
        declared: true,
        ...(/^[0-9a-f]{64}$/.test(p.checksum ?? '')
          ? { hashes: [{ alg: 'SHA-256' as const, content: p.checksum as string }] }
          : {}),
      }));
  },
};

const gem = (name: string, version: string, path: string, declared: boolean): AppRecord =>
  appRecord(
    { name, version, type: 'gem', purl: purl({ type: 'gem', name, version }), path },
    declared,
  );

/**
 * Ruby: installed gems under every gem path (`specifications/*.gemspec`, the interpreter's
 * default gems in `specifications/default/`, bundler's `vendor/bundle`) and Gemfile.lock
 * (declared).
 */
export const rubyAnalyzer: AppAnalyzer = {
  name: 'ruby',
  version: '2',
  matches: (path) =>
    /(^|\/)specifications\/(default\/)?[^/]+\.gemspec$/.test(path) || base(path) === 'Gemfile.lock',
  analyze(path, data) {
    const text = data.toString('utf8');
    if (base(path) === 'Gemfile.lock') {
      const out: AppRecord[] = [];
      let inSpecs = false;
      for (const line of text.split(/\r?\n/)) {
        if (/^\S/.test(line)) inSpecs = false;
        if (/^ {2}specs:$/.test(line)) {
          inSpecs = true;
          continue;
        }
        const match = inSpecs ? /^ {4}([^\s(]+) \(([^)]+)\)$/.exec(line) : null;
        if (match) {
          // "1.15.4-x86_64-linux": the platform is not part of the version.
          const version = (match[2] as string).replace(
            /-(x86|aarch64|arm|java|universal|x64|mingw).*$/,
            '',
          );
          out.push(gem(match[1] as string, version, path, true));
        }
      }
      return out;
    }
    const name = /\.name\s*=\s*["']([^"']+)["']/.exec(text)?.[1];
    const version =
      /\.version\s*=\s*(?:Gem::Version\.new\()?["']([^"']+)["']/.exec(text)?.[1] ??
      /^(.+)-(\d[^-]*)\.gemspec$/.exec(base(path))?.[2];
    if (!name || !version) throw new Error('gemspec without name or version');
    return [gem(name, version, path, false)];
  },
};

interface ComposerPackage {
  name?: string;
  version?: string;
  license?: string[];
}

const composer = (p: ComposerPackage, path: string, declared: boolean): AppRecord[] => {
  if (!p.name || !p.version || !p.name.includes('/')) return [];
  const [vendor, name] = p.name.split('/') as [string, string];
  return [
    appRecord(
      {
        name: p.name,
        version: p.version,
        type: 'composer',
        purl: purl({ type: 'composer', namespace: vendor, name, version: p.version }),
        path,
      },
      declared,
      p.license,
    ),
  ];
};

/** PHP: vendor/composer/installed.json (v1 array or v2 object) and composer.lock (declared). */
export const composerAnalyzer: AppAnalyzer = {
  name: 'composer',
  version: '1',
  matches: (path) =>
    /(^|\/)vendor\/composer\/installed\.json$/.test(path) || base(path) === 'composer.lock',
  analyze(path, data) {
    const json = JSON.parse(data.toString('utf8')) as
      | ComposerPackage[]
      | { packages?: ComposerPackage[]; 'packages-dev'?: ComposerPackage[] };
    const declared = base(path) === 'composer.lock';
    const list = Array.isArray(json)
      ? json
      : [...(json.packages ?? []), ...(json['packages-dev'] ?? [])];
    return list.flatMap((p) => composer(p, path, declared));
  },
};
