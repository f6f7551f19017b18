import { createHash } from 'node:crypto';
import { ZipArchive, ZipError } from '@drydock/zip';
import { purl } from '../../purl.ts';
import type { AppAnalyzer, AppAnalyzerContext, AppRecord } from './types.ts';

const ARCHIVE = /\.(jar|war|ear|par|sar|jpi|hpi)$/i;

export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    const match = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (match) out[match[1] as string] = (match[2] as string).trim();
  }
  return out;
}

/** Main section of META-INF/MANIFEST.MF (72-byte lines continue with a leading space). */
export function parseManifest(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  let last: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === '') break;
    if (line.startsWith(' ') && last) {
      out[last] += line.slice(1);
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim();
    out[last] = line.slice(colon + 1).trim();
  }
  return out;
}

const mavenRecord = (
  groupId: string,
  artifactId: string,
  version: string,
  path: string,
): AppRecord => ({
  name: `${groupId}:${artifactId}`,
  version,
  type: 'maven',
  purl: purl({ type: 'maven', namespace: groupId, name: artifactId, version }),
  path,
});

/** `log4j-1.2.17.jar` → log4j / 1.2.17. */
function fromFileName(path: string): { artifactId: string; version: string } | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1).replace(ARCHIVE, '');
  const match = /^(.+?)-(\d[\w.+-]*)$/.exec(base);
  return match ? { artifactId: match[1] as string, version: match[2] as string } : undefined;
}

interface Budget {
  remaining: number;
}

function readArchive(
  data: Buffer,
  display: string,
  depth: number,
  budget: Budget,
  ctx: AppAnalyzerContext,
  out: AppRecord[],
): void {
  const zip = new ZipArchive(data);
  const poms: Record<string, string>[] = [];
  const pomXmls = new Map<string, string>();
  let manifest: Record<string, string> = {};
  const nested = [];
  for (const entry of zip.entries) {
    if (/^META-INF\/maven\/.+\/pom\.properties$/.test(entry.name)) {
      poms.push(parseProperties(zip.read(entry, 1024 * 1024).toString('utf8')));
    } else if (/^META-INF\/maven\/.+\/pom\.xml$/.test(entry.name)) {
      pomXmls.set(
        entry.name.slice(0, -'pom.xml'.length),
        zip.read(entry, 4 * 1024 * 1024).toString('utf8'),
      );
    } else if (entry.name === 'META-INF/MANIFEST.MF') {
      manifest = parseManifest(zip.read(entry, 1024 * 1024).toString('utf8'));
    } else if (ARCHIVE.test(entry.name) && !entry.name.endsWith('/')) {
      nested.push(entry);
    }
  }
  const before = out.length;
  const found = poms.filter((p) => p.groupId && p.artifactId && p.version);
  // Shading plugins may keep a component's pom.xml without its pom.properties.
  for (const [dir, xml] of pomXmls) {
    const [, group, artifact] = dir.split('/').slice(1);
    if (found.some((p) => p.groupId === group && p.artifactId === artifact)) continue;
    const coordinates = parsePomXml(xml);
    if (coordinates) found.push(coordinates);
  }
  if (found.length > 0) {
    // A shaded jar carries several pom.properties: each is a component inside it.
    for (const p of found)
      out.push(
        mavenRecord(p.groupId as string, p.artifactId as string, p.version as string, display),
      );
  } else {
    const named = fromFileName(display);
    const version =
      named?.version ?? manifest['Implementation-Version'] ?? manifest['Bundle-Version'];
    const artifactId = named?.artifactId ?? manifest['Implementation-Title'];
    if (artifactId && version && /^[\w.-]+$/.test(artifactId)) {
      // Without pom.properties the group is unknown; Implementation-Vendor-Id names it when set,
      // otherwise the classic convention groupId = artifactId (log4j:log4j, junit:junit).
      const groupId = manifest['Implementation-Vendor-Id'] ?? artifactId;
      out.push(mavenRecord(groupId, artifactId, version, display));
    }
  }
  // An archive that is one component is that component's file: its SHA-1 is how Maven Central
  // and SBOM consumers know it. A shaded jar's components are not the jar.
  if (out.length === before + 1) {
    (out[before] as AppRecord).hashes = [
      { alg: 'SHA-1', content: createHash('sha1').update(data).digest('hex') },
    ];
  }
  for (const entry of nested) {
    const path = `${display}!/${entry.name}`;
    if (depth + 1 > ctx.limits.maxArchiveDepth) {
      ctx.warn(`${path}: not opened, archives nested deeper than ${ctx.limits.maxArchiveDepth}`);
      continue;
    }
    try {
      const inner = zip.read(entry, budget.remaining);
      budget.remaining -= inner.length;
      readArchive(inner, path, depth + 1, budget, ctx, out);
    } catch (error) {
      if (!(error instanceof ZipError)) throw error;
      ctx.warn(`${path}: ${error.message}`);
    }
  }
}

/** The project's own coordinates in a pom.xml (the parent's group and version when inherited). */
export function parsePomXml(xml: string): Record<string, string> | undefined {
  const text = xml.replace(/<!--[\s\S]*?-->/g, '');
  const project = text.replace(
    /<(dependencies|dependencyManagement|build|profiles|plugins|reporting)>[\s\S]*?<\/\1>/g,
    '',
  );
  const parent = /<parent>([\s\S]*?)<\/parent>/.exec(project)?.[1] ?? '';
  const own = project.replace(/<parent>[\s\S]*?<\/parent>/, '');
  const tag = (xmlText: string, name: string) =>
    new RegExp(`<${name}>\\s*([^<\\s]+)\\s*</${name}>`).exec(xmlText)?.[1];
  const groupId = tag(own, 'groupId') ?? tag(parent, 'groupId');
  const artifactId = tag(own, 'artifactId');
  const version = tag(own, 'version') ?? tag(parent, 'version');
  if (!groupId || !artifactId || !version || version.includes('${')) return undefined;
  return { groupId, artifactId, version };
}

/** gradle.lockfile: `group:artifact:version=configurations` lines (declared). */
function parseGradleLock(text: string, path: string): AppRecord[] {
  const out: AppRecord[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^([^#\s:=]+):([^\s:=]+):([^\s:=]+)=/.exec(line);
    if (m)
      out.push({
        ...mavenRecord(m[1] as string, m[2] as string, m[3] as string, path),
        declared: true,
      });
  }
  return out;
}

/**
 * Java archives at any depth (jar, war, ear, par, sar, jpi, hpi; Spring Boot BOOT-INF/lib,
 * WEB-INF/lib, jars in jars): coordinates from META-INF/maven/**\/pom.properties (pom.xml where a
 * shaded jar kept only that), else MANIFEST.MF and the file name. Nesting depth and inflated bytes
 * are bounded. Gradle's dependency lock file (`gradle.lockfile`) as declared.
 */
export const javaAnalyzer: AppAnalyzer = {
  name: 'java',
  version: '3',
  matches: (path) => ARCHIVE.test(path) || /(^|\/)gradle\.lockfile$/.test(path),
  analyze(path, data, ctx) {
    if (path.endsWith('gradle.lockfile')) return parseGradleLock(data.toString('utf8'), path);
    const out: AppRecord[] = [];
    readArchive(data, path, 0, { remaining: ctx.limits.maxInflatedBytes }, ctx, out);
    return out;
  },
};
