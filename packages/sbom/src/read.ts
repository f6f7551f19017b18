import { createHash } from 'node:crypto';
import {
  type LayerInfo,
  OsFamilySchema,
  type OsInfo,
  type Package,
  type PackageHash,
  PackageTypeSchema,
  SCAN_REPORT_SCHEMA_VERSION,
  type ScanReport,
  type ScanWarning,
} from '@drydock/contract';
import { z } from 'zod';
import { PROP } from './common.ts';
import { checked, guardNesting, parseJson, SbomError } from './document.ts';

/** The largest SBOM read (bytes of JSON). */
export const MAX_SBOM_BYTES = 64 * 1024 * 1024;

export interface ReadSbom {
  format: 'cyclonedx' | 'spdx';
  /** The tool that wrote it, as the document says. */
  tool: string | undefined;
  /** The inventory, shaped like a scan's (no vulnerabilities): ready for matching. */
  report: ScanReport;
}

interface PurlParsed {
  type: string;
  namespace: string | undefined;
  name: string;
  version: string | undefined;
  qualifiers: Record<string, string>;
}

/** `pkg:type/namespace/name@version?qualifiers#subpath`, decoded. */
export function parsePurl(value: string): PurlParsed | undefined {
  const m = /^pkg:([a-zA-Z][a-zA-Z0-9.+-]*)\/+([^?#]+?)(?:\?([^#]*))?(?:#.*)?$/.exec(value);
  if (!m) return undefined;
  const [, type = '', rest = '', query] = m;
  const at = rest.lastIndexOf('@');
  const path = at > 0 ? rest.slice(0, at) : rest;
  const version = at > 0 ? decodeURIComponent(rest.slice(at + 1)) : undefined;
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  const name = segments.pop();
  if (!name) return undefined;
  const qualifiers: Record<string, string> = {};
  for (const pair of (query ?? '').split('&').filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq > 0)
      qualifiers[pair.slice(0, eq).toLowerCase()] = decodeURIComponent(pair.slice(eq + 1));
  }
  return {
    type: type.toLowerCase(),
    namespace: segments.length ? segments.join('/') : undefined,
    name,
    version,
    qualifiers,
  };
}

/** Package URL types other tools use for the ecosystems Drydock names otherwise. */
const TYPE_ALIASES: Record<string, string> = { go: 'golang', alpine: 'apk', debian: 'deb' };

/** A package's name as Drydock's analyzers spell it (what advisories are matched on). */
function nameOf(p: PurlParsed): string {
  if (!p.namespace) return p.name;
  switch (p.type) {
    case 'maven':
      return `${p.namespace}:${p.name}`;
    case 'npm':
      // An npm namespace is a scope; some writers leave out its `@`.
      return `${p.namespace.startsWith('@') ? '' : '@'}${p.namespace}/${p.name}`;
    case 'golang':
    case 'composer':
    case 'swift':
    case 'conan':
      return `${p.namespace}/${p.name}`;
    default:
      // OS packages and the rest: the namespace is the vendor or distribution.
      return p.name;
  }
}

/** `debian-12`, `alpine-3.16.0`, `3.16.0` (with the purl namespace as family), `ubuntu-22.04`. */
function osFromDistro(distro: string, namespace: string | undefined): OsInfo | undefined {
  const m = /^([a-z][a-z-]*?)-(\d[\w.]*)$/i.exec(distro);
  const family = OsFamilySchema.safeParse((m?.[1] ?? namespace ?? '').toLowerCase());
  const version = m?.[2] ?? (/^\d/.test(distro) ? distro : undefined);
  if (!family.success || !version) return undefined;
  return { family: family.data, version, source: `purl qualifier distro=${distro}` };
}

const sha256Of = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
const isDigest = (v: unknown): v is string =>
  typeof v === 'string' && /^sha256:[0-9a-f]{64}$/.test(v);

/** What the readers of both formats collect before the report is assembled. */
interface Collected {
  name: string;
  tags: string[];
  manifestDigest?: string;
  configDigest?: string;
  platform?: string;
  os?: OsInfo;
  /** Layers, in order, when the document lists them (Drydock's own, Trivy's DiffIDs). */
  layers: { diffId: string; createdBy?: string }[];
  components: {
    purl: string;
    name: string;
    version?: string;
    licenses: string[];
    cpe?: string;
    props: Map<string, string>;
    where: string;
    /** Its id in the document (CycloneDX bom-ref, SPDX SPDXID). */
    ref?: string;
    hashes?: PackageHash[];
  }[];
  /** Packages the document names without a package URL (name and version): not matched. */
  unidentified: string[];
  /** What each element (by document id) depends on (document ids). */
  dependencies: Map<string, string[]>;
}

const HASH_NAMES: Record<string, PackageHash['alg']> = {
  MD5: 'MD5',
  SHA1: 'SHA-1',
  'SHA-1': 'SHA-1',
  SHA256: 'SHA-256',
  'SHA-256': 'SHA-256',
  SHA384: 'SHA-384',
  'SHA-384': 'SHA-384',
  SHA512: 'SHA-512',
  'SHA-512': 'SHA-512',
};

/**
 * Digests in the algorithms Drydock records (CycloneDX or SPDX names), lowercase hex only, as
 * `{ hashes }` to spread into a component (nothing when there are none).
 */
function hashesOf(list: { alg: string; content: string }[] | undefined): {
  hashes?: PackageHash[];
} {
  const out = (list ?? []).flatMap((h) => {
    const alg = HASH_NAMES[h.alg];
    const content = h.content.toLowerCase();
    return alg && /^[0-9a-f]+$/.test(content) ? [{ alg, content }] : [];
  });
  return out.length ? { hashes: out } : {};
}

function assemble(doc: Collected, text: string, format: ReadSbom['format']): ScanReport {
  const warnings: ScanWarning[] = [];
  const skippedTypes = new Map<string, number>();
  const docDigest = sha256Of(text);
  const layers: LayerInfo[] = doc.layers.length
    ? doc.layers.map((l, index) => ({
        index,
        diffId: l.diffId,
        digest: l.diffId,
        ...(l.createdBy ? { createdBy: l.createdBy } : {}),
        size: 0,
        compression: 'none' as const,
      }))
    : [
        // No layers in the document: the document itself stands for the image's content.
        {
          index: 0,
          diffId: docDigest,
          digest: docDigest,
          createdBy: `${format === 'cyclonedx' ? 'CycloneDX' : 'SPDX'} SBOM ${doc.name}`,
          size: Buffer.byteLength(text),
          compression: 'none' as const,
        },
      ];
  const layerIndex = new Map(layers.map((l) => [l.diffId, l.index]));
  let os = doc.os;
  const packages: Package[] = [];
  const purlOfRef = new Map<string, string>();
  for (const c of doc.components) if (c.ref && parsePurl(c.purl)) purlOfRef.set(c.ref, c.purl);
  for (const c of doc.components) {
    const p = parsePurl(c.purl);
    if (!p) {
      warnings.push({
        code: 'sbom_skipped',
        message: `${c.where}: "${c.purl}" is not a package URL`,
      });
      continue;
    }
    const type = PackageTypeSchema.safeParse(TYPE_ALIASES[p.type] ?? p.type);
    if (!type.success) {
      skippedTypes.set(p.type, (skippedTypes.get(p.type) ?? 0) + 1);
      continue;
    }
    const prop = (k: string) => c.props.get(k);
    const diffId =
      prop(PROP.layerDiffId) ??
      prop('aquasecurity:trivy:LayerDiffID') ??
      prop('syft:location:0:layerID');
    const index =
      prop(PROP.layerIndex) !== undefined
        ? Number(prop(PROP.layerIndex))
        : diffId !== undefined
          ? layerIndex.get(diffId)
          : undefined;
    const layer = layers[index ?? 0] ?? layers[0];
    const upstream = p.qualifiers.upstream?.split('@');
    let version = p.version ?? c.version ?? '';
    let epoch: number | undefined;
    const epochText = prop(PROP.epoch) ?? p.qualifiers.epoch;
    if (epochText !== undefined && /^\d+$/.test(epochText)) {
      epoch = Number(epochText);
      version = version.replace(new RegExp(`^${epochText}:`), '');
    }
    if (!os && p.qualifiers.distro) os = osFromDistro(p.qualifiers.distro, p.namespace);
    const sourceName = prop(PROP.sourceName) ?? prop('aquasecurity:trivy:SrcName') ?? upstream?.[0];
    const sourceVersion =
      prop(PROP.sourceVersion) ?? prop('aquasecurity:trivy:SrcVersion') ?? upstream?.[1];
    const arch = prop(PROP.arch) ?? p.qualifiers.arch;
    const path =
      prop(PROP.path) ??
      prop('aquasecurity:trivy:FilePath') ??
      prop('syft:location:0:path') ??
      `(SBOM) ${c.where}`;
    const dependsOn = [
      ...new Set(
        (c.ref ? (doc.dependencies.get(c.ref) ?? []) : []).flatMap((ref) => {
          const target = purlOfRef.get(ref);
          return target && ref !== c.ref ? [target] : [];
        }),
      ),
    ];
    packages.push({
      name: nameOf(p),
      version,
      type: type.data,
      ...(sourceName ? { sourceName } : {}),
      ...(sourceVersion ? { sourceVersion } : {}),
      ...(epoch !== undefined ? { epoch } : {}),
      ...(arch ? { arch } : {}),
      ...(c.licenses.length ? { licenses: c.licenses } : {}),
      purl: c.purl,
      ...(c.cpe ? { cpe: c.cpe } : {}),
      layerDiffId: (layer as LayerInfo).diffId,
      layerIndex: (layer as LayerInfo).index,
      path,
      ...(prop(PROP.declared) === 'true' ? { declared: true } : {}),
      foundBy: prop(PROP.foundBy) ?? `sbom:${format}`,
      ...(c.hashes ? { hashes: c.hashes } : {}),
      ...(dependsOn.length ? { dependsOn } : {}),
    });
  }
  for (const [type, n] of skippedTypes) {
    warnings.push({
      code: 'sbom_skipped',
      message: `${n} package${n === 1 ? '' : 's'} of type "${type}" not read: Drydock has no ecosystem for it`,
    });
  }
  if (doc.unidentified.length) {
    const n = doc.unidentified.length;
    const named = doc.unidentified.slice(0, 5).join(', ');
    warnings.push({
      code: 'sbom_unidentified',
      message: `${n} package${n === 1 ? '' : 's'} without a package URL not matched against advisories: ${named}${n > 5 ? ` and ${n - 5} more` : ''}`,
    });
  }
  return {
    schemaVersion: SCAN_REPORT_SCHEMA_VERSION,
    scanner: { name: 'drydock', version: 'sbom' },
    target: {
      input: doc.name,
      format: 'sbom',
      repoTags: doc.tags.length ? doc.tags : [doc.name],
      ...(doc.manifestDigest ? { manifestDigest: doc.manifestDigest } : {}),
      configDigest: doc.configDigest ?? docDigest,
      platform: doc.platform ?? 'unknown',
    },
    ...(os ? { os } : {}),
    layers,
    packages,
    warnings,
  };
}

/**
 * What the image's own properties say, by name (CycloneDX properties, SPDX annotations; Trivy's
 * under `aquasecurity:trivy:`): tags, digests, platform, the OS Drydock recorded, and the layers —
 * Drydock's in order with their steps, else Trivy's DiffID list.
 */
function imageFacts(
  all: (name: string) => string[],
): Pick<Collected, 'tags' | 'layers'> &
  Partial<Pick<Collected, 'manifestDigest' | 'configDigest' | 'platform' | 'os'>> {
  const one = (name: string) => all(name)[0];
  const facts: ReturnType<typeof imageFacts> = {
    tags: [...all('aquasecurity:trivy:RepoTag'), ...all('drydock:image:tag')],
    layers: [],
  };
  const manifest = one('drydock:image:manifestDigest');
  if (isDigest(manifest)) facts.manifestDigest = manifest;
  const config = one('drydock:image:configDigest') ?? one('aquasecurity:trivy:ImageID');
  if (isDigest(config)) facts.configDigest = config;
  const platform = one('drydock:image:platform');
  if (platform) facts.platform = platform;
  for (let i = 0; ; i++) {
    const diffId = one(`drydock:image:layer:${i}:diffID`);
    if (!isDigest(diffId)) break;
    const createdBy = one(`drydock:image:layer:${i}:createdBy`);
    facts.layers.push({ diffId, ...(createdBy ? { createdBy } : {}) });
  }
  if (facts.layers.length === 0) {
    facts.layers = all('aquasecurity:trivy:DiffID')
      .filter(isDigest)
      .map((diffId) => ({ diffId }));
  }
  const family = OsFamilySchema.safeParse(one('drydock:os:family'));
  const version = one('drydock:os:version');
  if (family.success && version) {
    facts.os = { family: family.data, version, source: 'SBOM (drydock:os)' };
  }
  return facts;
}

// --- CycloneDX --------------------------------------------------------------------------------

const CdxProperty = z.object({ name: z.string(), value: z.string().optional() });
type CdxComponentT = {
  type: string;
  name: string;
  version?: string | undefined;
  purl?: string | undefined;
  cpe?: string | undefined;
  'bom-ref'?: string | undefined;
  hashes?: { alg: string; content: string }[] | undefined;
  licenses?:
    | {
        license?: { id?: string | undefined; name?: string | undefined } | undefined;
        expression?: string | undefined;
      }[]
    | undefined;
  properties?: z.infer<typeof CdxProperty>[] | undefined;
  components?: CdxComponentT[] | undefined;
};
const CdxComponent: z.ZodType<CdxComponentT> = z.lazy(() =>
  z.object({
    type: z.string(),
    name: z.string(),
    version: z.string().optional(),
    purl: z.string().optional(),
    cpe: z.string().optional(),
    'bom-ref': z.string().optional(),
    hashes: z.array(z.object({ alg: z.string(), content: z.string() })).optional(),
    licenses: z
      .array(
        z.object({
          license: z.object({ id: z.string().optional(), name: z.string().optional() }).optional(),
          expression: z.string().optional(),
        }),
      )
      .optional(),
    properties: z.array(CdxProperty).optional(),
    components: z.array(CdxComponent).optional(),
  }),
);
const CdxDocument = z.object({
  bomFormat: z.literal('CycloneDX'),
  specVersion: z.enum(['1.2', '1.3', '1.4', '1.5', '1.6']),
  metadata: z
    .object({
      component: CdxComponent.optional(),
      tools: z.unknown().optional(),
      properties: z.array(CdxProperty).optional(),
    })
    .optional(),
  components: z.array(CdxComponent).optional(),
  dependencies: z
    .array(z.object({ ref: z.string(), dependsOn: z.array(z.string()).optional() }))
    .optional(),
});

function toolOfCdx(tools: unknown): string | undefined {
  const list = Array.isArray(tools)
    ? tools
    : tools &&
        typeof tools === 'object' &&
        Array.isArray((tools as { components?: unknown }).components)
      ? (tools as { components: unknown[] }).components
      : [];
  const first = list[0] as { name?: string; version?: string } | undefined;
  return first?.name ? `${first.name}${first.version ? ` ${first.version}` : ''}` : undefined;
}

function readCycloneDx(data: unknown, text: string): ReadSbom {
  const doc = checked(CdxDocument, data, text);
  const root = doc.metadata?.component;
  const rootAll = (name: string) =>
    (root?.properties ?? []).flatMap((p) => (p.name === name && p.value ? [p.value] : []));
  const collected: Collected = {
    name: root?.name ?? 'SBOM',
    components: [],
    unidentified: [],
    dependencies: new Map((doc.dependencies ?? []).map((d) => [d.ref, d.dependsOn ?? []])),
    ...imageFacts(rootAll),
  };
  if (!collected.manifestDigest && isDigest(root?.version))
    collected.manifestDigest = root?.version;
  const walk = (list: CdxComponentT[] | undefined, where: string) => {
    for (const [i, c] of (list ?? []).entries()) {
      const at = `${where}[${i}]`;
      if (c.type === 'operating-system' && !collected.os) {
        const f = OsFamilySchema.safeParse(c.name.toLowerCase());
        if (f.success && c.version)
          collected.os = { family: f.data, version: c.version, source: `SBOM ${at}` };
      }
      if (c.purl) {
        collected.components.push({
          purl: c.purl,
          name: c.name,
          ...(c.version ? { version: c.version } : {}),
          licenses: (c.licenses ?? []).flatMap((l) => {
            const v = l.expression ?? l.license?.id ?? l.license?.name;
            return v ? [v] : [];
          }),
          ...(c.cpe ? { cpe: c.cpe } : {}),
          props: propsOf(c.properties),
          where: at,
          ...(c['bom-ref'] ? { ref: c['bom-ref'] } : {}),
          ...hashesOf(c.hashes),
        });
      } else if (c.type === 'library' || c.type === 'framework') {
        // (Applications without one are mostly a tool's grouping of a lock file's packages.)
        collected.unidentified.push(c.version ? `${c.name} ${c.version}` : c.name);
      }
      walk(c.components, `${at}.components`);
    }
  };
  walk(doc.components, 'components');
  return {
    format: 'cyclonedx',
    tool: toolOfCdx(doc.metadata?.tools),
    report: assemble(collected, text, 'cyclonedx'),
  };
}

const propsOf = (list: { name: string; value?: string | undefined }[] | undefined) => {
  const out = new Map<string, string>();
  for (const p of list ?? [])
    if (p.value !== undefined && !out.has(p.name)) out.set(p.name, p.value);
  return out;
};

// --- SPDX -------------------------------------------------------------------------------------

const SpdxPackage = z.object({
  SPDXID: z.string(),
  name: z.string(),
  versionInfo: z.string().optional(),
  primaryPackagePurpose: z.string().optional(),
  licenseDeclared: z.string().optional(),
  licenseConcluded: z.string().optional(),
  sourceInfo: z.string().optional(),
  checksums: z.array(z.object({ algorithm: z.string(), checksumValue: z.string() })).optional(),
  externalRefs: z
    .array(
      z.object({
        referenceCategory: z.string(),
        referenceType: z.string(),
        referenceLocator: z.string(),
      }),
    )
    .optional(),
  attributionTexts: z.array(z.string()).optional(),
  annotations: z.array(z.object({ comment: z.string() })).optional(),
});
const SpdxDocument = z.object({
  spdxVersion: z.string().regex(/^SPDX-2\.\d$/, 'SPDX 2.x'),
  name: z.string().optional(),
  creationInfo: z.object({ creators: z.array(z.string()).optional() }).optional(),
  packages: z.array(SpdxPackage).optional(),
  documentDescribes: z.array(z.string()).optional(),
  relationships: z
    .array(
      z.object({
        spdxElementId: z.string(),
        relationshipType: z.string(),
        relatedSpdxElement: z.string(),
      }),
    )
    .optional(),
});

/** `A DEPENDS_ON B` and its inverse `B DEPENDENCY_OF A` (Syft writes the latter). */
function spdxDependencies(
  relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[],
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (from: string, to: string) => out.set(from, [...(out.get(from) ?? []), to]);
  for (const r of relationships) {
    if (r.relationshipType === 'DEPENDS_ON') add(r.spdxElementId, r.relatedSpdxElement);
    else if (r.relationshipType === 'DEPENDENCY_OF') add(r.relatedSpdxElement, r.spdxElementId);
  }
  return out;
}

function readSpdx(data: unknown, text: string): ReadSbom {
  const doc = checked(SpdxDocument, data, text);
  const packages = doc.packages ?? [];
  const described = new Set([
    ...(doc.documentDescribes ?? []),
    ...(doc.relationships ?? [])
      .filter(
        (r) => r.spdxElementId === 'SPDXRef-DOCUMENT' && /^DESCRIBES?$/.test(r.relationshipType),
      )
      .map((r) => r.relatedSpdxElement),
  ]);
  const root = packages.find((p) => described.has(p.SPDXID));
  // Drydock writes `name=value` annotations; Trivy `Name: value` attribution texts.
  const facts = (p: (typeof packages)[number] | undefined) => {
    const out = new Map<string, string[]>();
    const add = (k: string, v: string) => out.set(k, [...(out.get(k) ?? []), v]);
    for (const a of p?.annotations ?? []) {
      const eq = a.comment.indexOf('=');
      if (a.comment.startsWith('drydock:') && eq > 0)
        add(a.comment.slice(0, eq), a.comment.slice(eq + 1));
    }
    for (const t of p?.attributionTexts ?? []) {
      const m = /^(\w+): (.*)$/.exec(t);
      if (m) add(`aquasecurity:trivy:${m[1]}`, m[2] as string);
    }
    return out;
  };
  const rootFacts = facts(root);
  const collected: Collected = {
    name: root?.name ?? doc.name ?? 'SBOM',
    components: [],
    unidentified: [],
    dependencies: spdxDependencies(doc.relationships ?? []),
    ...imageFacts((name) => rootFacts.get(name) ?? []),
  };
  const sha = root?.checksums?.find((c) => c.algorithm === 'SHA256')?.checksumValue;
  if (!collected.manifestDigest && sha && /^[0-9a-f]{64}$/.test(sha)) {
    collected.manifestDigest = `sha256:${sha}`;
  }
  if (!collected.manifestDigest && isDigest(root?.versionInfo)) {
    collected.manifestDigest = root?.versionInfo;
  }
  for (const [i, p] of packages.entries()) {
    if (
      !collected.os &&
      (p.primaryPackagePurpose === 'OPERATING-SYSTEM' ||
        p.SPDXID.startsWith('SPDXRef-OperatingSystem'))
    ) {
      const f = OsFamilySchema.safeParse(p.name.toLowerCase());
      if (f.success && p.versionInfo)
        collected.os = { family: f.data, version: p.versionInfo, source: `SBOM packages[${i}]` };
    }
    const purl = p.externalRefs?.find((r) => r.referenceType === 'purl')?.referenceLocator;
    if (p === root) continue;
    if (!purl) {
      collected.unidentified.push(p.versionInfo ? `${p.name} ${p.versionInfo}` : p.name);
      continue;
    }
    const f = facts(p);
    const props = new Map<string, string>();
    for (const [k, v] of f) props.set(k, v[0] as string);
    // Trivy: "built package from: <source> <version>".
    const built = /^built package from: (\S+) (\S+)$/.exec(p.sourceInfo ?? '');
    if (built && !props.has('aquasecurity:trivy:SrcName')) {
      props.set('aquasecurity:trivy:SrcName', built[1] as string);
      props.set('aquasecurity:trivy:SrcVersion', built[2] as string);
    }
    const license =
      p.licenseDeclared && !/^(NOASSERTION|NONE)$/.test(p.licenseDeclared)
        ? p.licenseDeclared
        : undefined;
    const cpe = p.externalRefs?.find((r) =>
      /^cpe2[23]Type$/.test(r.referenceType),
    )?.referenceLocator;
    const checksums = p.checksums?.map((c) => ({ alg: c.algorithm, content: c.checksumValue }));
    collected.components.push({
      purl,
      name: p.name,
      ...(p.versionInfo ? { version: p.versionInfo } : {}),
      licenses: license ? [license] : [],
      ...(cpe ? { cpe } : {}),
      props,
      where: `packages[${i}]`,
      ref: p.SPDXID,
      ...hashesOf(checksums),
    });
  }
  const creator = doc.creationInfo?.creators?.find((c) => c.startsWith('Tool: '));
  return { format: 'spdx', tool: creator?.slice(6), report: assemble(collected, text, 'spdx') };
}

// --- Entry ------------------------------------------------------------------------------------

/**
 * Reads a CycloneDX (1.2–1.6) or SPDX (2.x) JSON SBOM written by any tool into an inventory:
 * packages by package URL (named as Drydock's analyzers name them), the OS (an operating-system
 * component, Drydock's or a purl's `distro`), layers when the document lists them. Packages of
 * ecosystems Drydock does not know are counted in the report's warnings, not dropped silently.
 */
export function readSbom(text: string): ReadSbom {
  if (Buffer.byteLength(text) > MAX_SBOM_BYTES) {
    throw new SbomError(`the document is larger than ${MAX_SBOM_BYTES / 1048576} MiB`);
  }
  return guardNesting(() => {
    const data = parseJson(text);
    if (data && typeof data === 'object' && 'bomFormat' in data) return readCycloneDx(data, text);
    if (data && typeof data === 'object' && 'spdxVersion' in data) return readSpdx(data, text);
    throw new SbomError(
      'not a CycloneDX or SPDX JSON document: it has neither bomFormat nor spdxVersion',
    );
  });
}
