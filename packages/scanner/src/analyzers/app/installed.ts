import { purl } from '../../purl.ts';
import { parseControlParagraphs } from '../os/types.ts';
import { type AppAnalyzer, type AppRecord, appRecord, purlRecord } from './types.ts';

/** Package managers whose installed packages leave one metadata file each. */

const installed = (
  type: AppRecord['type'],
  name: string,
  version: string,
  path: string,
  licenses?: string[],
  purlParts: { namespace?: string; qualifiers?: Record<string, string> } = {},
): AppRecord => purlRecord(type, name, version, path, { licenses, purl: purlParts });

/**
 * R: `<library>/<package>/DESCRIPTION` of installed packages (R writes a `Built:` field on
 * install), in any library folder (`library`, `site-library`, renv, user libraries).
 */
export const rAnalyzer: AppAnalyzer = {
  name: 'r',
  version: '1',
  matches: (path) => /(^|\/)[^/]*library[^/]*\/(?:[^/]+\/){0,2}[^/]+\/DESCRIPTION$/i.test(path),
  readBytes: 64 * 1024,
  analyze(path, data) {
    const fields = parseControlParagraphs(data.toString('utf8'))[0] ?? {};
    if (!fields.Package || !fields.Version || !fields.Built) return [];
    return [
      installed(
        'cran',
        fields.Package,
        fields.Version,
        path,
        fields.License ? [fields.License] : undefined,
      ),
    ];
  },
};

/** Lua: LuaRocks trees, `lib/luarocks/rocks-5.x/<name>/<version>/<name>-<version>.rockspec`. */
export const luarocksAnalyzer: AppAnalyzer = {
  name: 'luarocks',
  version: '1',
  matches: (path) => /(^|\/)lib\/luarocks\/rocks[^/]*\/[^/]+\/[^/]+\/[^/]+\.rockspec$/.test(path),
  analyze(path, data) {
    const text = data.toString('utf8');
    const name = /^\s*package\s*=\s*["']([^"']+)["']/m.exec(text)?.[1];
    const version = /^\s*version\s*=\s*["']([^"']+)["']/m.exec(text)?.[1];
    if (!name || !version) throw new Error('rockspec without package or version');
    const license = /license\s*=\s*["']([^"']+)["']/.exec(text)?.[1];
    return [installed('luarocks', name, version, path, license ? [license] : undefined)];
  },
};

/**
 * conda: `conda-meta/<name>-<version>-<build>.json`, one per package of an environment. The
 * Python libraries among them are also read from their dist-info (and checked as PyPI).
 */
export const condaAnalyzer: AppAnalyzer = {
  name: 'conda',
  version: '1',
  matches: (path) => /(^|\/)conda-meta\/[^/]+\.json$/.test(path),
  analyze(path, data) {
    const json = JSON.parse(data.toString('utf8')) as {
      name?: string;
      version?: string;
      build?: string;
      license?: string;
      subdir?: string;
      channel?: string;
    };
    if (!json.name || !json.version) return [];
    const channel = json.channel?.replace(/\/$/, '').split('/').at(-1);
    return [
      installed('conda', json.name, json.version, path, json.license ? [json.license] : undefined, {
        qualifiers: {
          ...(json.build ? { build: json.build } : {}),
          ...(channel ? { channel } : {}),
          ...(json.subdir ? { subdir: json.subdir } : {}),
        },
      }),
    ];
  },
};

const NIX_STORE = /^(?:.*\/)?nix\/store\/([0-9a-df-np-sv-z]{32})-([^/]+)(?:\/|$)/;

/**
 * `perl-5.38.2`, `python3-3.11.9-env`, `openssl-3.0.13-bin` → name and version (the first
 * dash-separated part that starts with a digit begins the version; an output suffix is kept
 * out of it).
 */
export function splitNixName(
  storeName: string,
): { name: string; version: string; output?: string } | undefined {
  const parts = storeName.split('-');
  const at = parts.findIndex((p, i) => i > 0 && /^\d/.test(p));
  if (at < 0) return undefined;
  const rest = parts.slice(at);
  const outputs = ['bin', 'dev', 'lib', 'out', 'man', 'doc', 'info', 'debug', 'env', 'static'];
  const output =
    rest.length > 1 && outputs.includes(rest.at(-1) as string) ? rest.pop() : undefined;
  return {
    name: parts.slice(0, at).join('-'),
    version: rest.join('-'),
    ...(output ? { output } : {}),
  };
}

/** Nix: every store path (`/nix/store/<hash>-<name>-<version>`) is a package; its name says it. */
export const nixAnalyzer: AppAnalyzer = {
  name: 'nix',
  version: '1',
  matches: (path) => NIX_STORE.test(path) && !path.endsWith('.drv'),
  readBytes: 0,
  analyze(path) {
    const m = NIX_STORE.exec(path);
    const parsed = m ? splitNixName(m[2] as string) : undefined;
    if (!m || !parsed) return [];
    const storePath = path.slice(
      0,
      path.indexOf(m[1] as string) + (m[1] as string).length + 1 + (m[2] as string).length,
    );
    return [
      appRecord({
        name: parsed.name,
        version: parsed.version,
        type: 'nix',
        purl: purl({
          type: 'nix',
          name: parsed.name,
          version: parsed.version,
          qualifiers: { outputs: parsed.output, hash: m[1] as string },
        }),
        path: storePath,
      }),
    ];
  },
};

const CELLAR = /(^|\/)Cellar\/([^/]+)\/([^/]+)\/(?:INSTALL_RECEIPT\.json|\.brew\/[^/]+\.rb)$/;

/** Homebrew (Linuxbrew): kegs in any Cellar, `Cellar/<formula>/<version>/INSTALL_RECEIPT.json`. */
export const homebrewAnalyzer: AppAnalyzer = {
  name: 'homebrew',
  version: '1',
  matches: (path) => CELLAR.test(path),
  readBytes: 64 * 1024,
  analyze(path, data) {
    const m = CELLAR.exec(path);
    if (!m) return [];
    const license = path.endsWith('.rb')
      ? /^\s*license\s+"([^"]+)"/m.exec(data.toString('utf8'))?.[1]
      : undefined;
    // The receipt and the formula copy describe the same keg: one record for the keg folder.
    const keg = path.slice(
      0,
      path.indexOf(`Cellar/${m[2]}/${m[3]}/`) + `Cellar/${m[2]}/${m[3]}`.length,
    );
    return [
      installed('brew', m[2] as string, m[3] as string, keg, license ? [license] : undefined),
    ];
  },
};

/** WordPress plugins: the main PHP file's header (`Plugin Name:`, `Version:`), first 8 KiB. */
export const wordpressAnalyzer: AppAnalyzer = {
  name: 'wordpress',
  version: '1',
  matches: (path) => /(^|\/)wp-content\/plugins\/[^/]+\/[^/]+\.php$/.test(path),
  readBytes: 8 * 1024,
  analyze(path, data) {
    const text = data.toString('utf8');
    const header = (key: string) =>
      new RegExp(`^[\\s/*#@]*${key}:[ \\t]*(.+?)\\s*(?:\\*\\/)?$`, 'mi').exec(text)?.[1]?.trim();
    const title = header('Plugin Name');
    const version = header('Version');
    if (!title || !version) return [];
    const slug = /wp-content\/plugins\/([^/]+)\//.exec(path)?.[1] as string;
    const license = header('License');
    return [installed('wordpress-plugin', slug, version, path, license ? [license] : undefined)];
  },
};

/** PHP-serialised `s:N:"key";s:M:"value";` and the release version inside `version`. */
function pearField(text: string, key: string): string | undefined {
  return new RegExp(`s:\\d+:"${key}";s:\\d+:"([^"]*)";`).exec(text)?.[1];
}

/** PEAR and PECL: the installer's registry (`.registry/NAME.reg`, `.registry/.channel.CHANNEL/NAME.reg`). */
export const pearAnalyzer: AppAnalyzer = {
  name: 'pear',
  version: '1',
  matches: (path) => /(^|\/)\.registry\/(\.channel\.[^/]+\/)?[^/]+\.reg$/.test(path),
  analyze(path, data) {
    const text = data.toString('latin1');
    const name = pearField(text, 'name');
    const version = /s:7:"version";a:\d+:\{s:7:"release";s:\d+:"([^"]+)"/.exec(text)?.[1];
    if (!name || !version) throw new Error('PEAR registry entry without name or release version');
    const channel = pearField(text, 'channel');
    const license = /s:7:"license";(?:a:\d+:\{.*?s:\d+:"_content";)?s:\d+:"([^"]+)"/.exec(
      text,
    )?.[1];
    return [
      installed('pear', name, version, path, license ? [license] : undefined, {
        ...(channel ? { namespace: channel } : {}),
      }),
    ];
  },
};
