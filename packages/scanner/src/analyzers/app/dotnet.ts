import { purl } from '../../purl.ts';
import { isPe, readPeVersionInfo } from './pe.ts';
import type { AppAnalyzer, AppRecord } from './types.ts';

const nuget = (name: string, version: string, path: string): AppRecord => ({
  name,
  version,
  type: 'nuget',
  purl: purl({ type: 'nuget', name, version }),
  path,
});

const ASSEMBLY = /\.(dll|exe)$/i;

/** `*.deps.json`: the NuGet packages of an application and the application itself. */
function parseDepsJson(path: string, data: Buffer): AppRecord[] {
  const json = JSON.parse(data.toString('utf8').replace(/^\uFEFF/, '')) as {
    libraries?: Record<string, { type?: string }>;
  };
  const out: AppRecord[] = [];
  for (const [key, library] of Object.entries(json.libraries ?? {})) {
    // "package": from NuGet; "project": the application or one of its own projects.
    if (library.type !== 'package' && library.type !== 'project') continue;
    const slash = key.lastIndexOf('/');
    if (slash <= 0) continue;
    out.push(nuget(key.slice(0, slash), key.slice(slash + 1), path));
  }
  return out;
}

/**
 * A .NET assembly's version resource: the assembly name (OriginalFilename or the file name,
 * without `.dll`) and the package version (ProductVersion, the informational version, without its
 * `+commit` suffix; else FileVersion). Native (unmanaged) PE files are not NuGet packages.
 */
function parseAssembly(path: string, data: Buffer): AppRecord[] {
  const info = readPeVersionInfo(data);
  if (!info?.managed) return [];
  const file = path.slice(path.lastIndexOf('/') + 1);
  const original = info.strings.OriginalFilename ?? info.strings.InternalName ?? file;
  const name = original.replace(ASSEMBLY, '');
  const version = (info.strings.ProductVersion ?? info.strings.FileVersion ?? info.fileVersion)
    ?.split('+')[0]
    ?.trim();
  if (!name || !version || !/^\d/.test(version) || /\s/.test(name)) return [];
  return [nuget(name, version, path)];
}

/**
 * .NET: `*.deps.json` (NuGet packages and the application's own projects) and, for assemblies
 * without a deps.json beside them, the version resource of `.dll`/`.exe` files (the scan drops
 * assembly records where a deps.json in the same folder already names the packages).
 */
export const dotnetAnalyzer: AppAnalyzer = {
  name: 'dotnet',
  version: '2',
  matches: (path, size) => path.endsWith('.deps.json') || (ASSEMBLY.test(path) && size >= 64),
  analyze(path, data) {
    if (path.endsWith('.deps.json')) return parseDepsJson(path, data);
    return isPe(data) ? parseAssembly(path, data) : [];
  },
};

/** Whether a record came from an assembly's version resource (not from a deps.json). */
export const isAssemblyRecord = (r: { type: string; path: string }) =>
  r.type === 'nuget' && ASSEMBLY.test(r.path);
