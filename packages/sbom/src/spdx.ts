import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SPDX } from '@cyclonedx/cyclonedx-library';
import type { ScanReport } from '@drydock/contract';
import { Ajv, type ValidateFunction } from 'ajv';
import { z } from 'zod';
import {
  componentRef,
  dependencyRefs,
  imageName,
  imagePurl,
  packageProperties,
  TOOL,
  versionOf,
} from './common.ts';

/**
 * SPDX 2.3 JSON (https://spdx.github.io/spdx-spec/v2.3/): the image is the package the document
 * DESCRIBES; it CONTAINS every package found in it. SPDX 2.3 has no free-form properties, so where
 * each package was found (layer, its Dockerfile step, path, analyzer) travels as annotations whose
 * comment is `name=value` with the same `drydock:` names as the CycloneDX properties.
 */
export interface SpdxOptions {
  now?: Date;
  /** Base of the document namespace (a URI unique per document is made from it). */
  namespace?: string;
}

const NOASSERTION = 'NOASSERTION';
/** `2026-12-06T10:00:00Z`: SPDX dates are UTC to the second. */
const spdxDate = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;
const idPart = (s: string) => s.replace(/[^A-Za-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'x';

/** The license ids of an expression (operators and parentheses left out). */
const licenseTokens = (expression: string) =>
  expression.split(/\s+|[()]/).filter((t) => t && !/^(AND|OR|WITH)$/.test(t));

/** A license expression SPDX accepts: known ids (and expressions of them) as they are, others as LicenseRef-. */
function licenseExpression(values: string[] | undefined, extracted: Map<string, string>): string {
  if (!values?.length) return NOASSERTION;
  const parts = values.map((value) => {
    const tokens = licenseTokens(value);
    const known =
      tokens.length > 0 && tokens.every((t) => SPDX.isSupportedSpdxId(t.replace(/\+$/, '')));
    if (known) return tokens.length > 1 ? `(${value})` : value;
    const id = `LicenseRef-${idPart(value)}`;
    extracted.set(id, value);
    return id;
  });
  return [...new Set(parts)].join(' AND ');
}

export function toSpdx(report: ScanReport, options: SpdxOptions = {}) {
  const now = options.now ?? new Date();
  const name = imageName(report);
  const extracted = new Map<string, string>();
  const annotate = (pairs: [string, string][]) =>
    pairs.map(([k, v]) => ({
      annotationDate: spdxDate(now),
      annotationType: 'OTHER' as const,
      annotator: `Tool: ${TOOL.name}-${report.scanner.version}`,
      comment: `${k}=${v}`,
    }));
  const t = report.target;
  const root = {
    SPDXID: 'SPDXRef-Image',
    name,
    versionInfo: t.manifestDigest ?? t.configDigest,
    downloadLocation: NOASSERTION,
    primaryPackagePurpose: 'CONTAINER',
    filesAnalyzed: false,
    licenseConcluded: NOASSERTION,
    licenseDeclared: NOASSERTION,
    copyrightText: NOASSERTION,
    ...(t.manifestDigest
      ? {
          checksums: [
            { algorithm: 'SHA256', checksumValue: t.manifestDigest.replace(/^sha256:/, '') },
          ],
        }
      : {}),
    externalRefs: [
      {
        referenceCategory: 'PACKAGE-MANAGER',
        referenceType: 'purl',
        referenceLocator: imagePurl(report),
      },
    ],
    annotations: annotate([
      ['drydock:image:configDigest', t.configDigest],
      ['drydock:image:platform', t.platform],
      ...(report.os
        ? [
            ['drydock:os:family', report.os.family] as [string, string],
            ['drydock:os:version', report.os.version] as [string, string],
          ]
        : []),
      ...report.layers.map((l): [string, string] => [
        `drydock:image:layer:${l.index}:diffID`,
        l.diffId,
      ]),
    ]),
  };
  const spdxIds = new Map<string, string>();
  const packages = report.packages.flatMap((p, i) => {
    const key = componentRef(p.purl, p.path);
    if (spdxIds.has(key)) return [];
    spdxIds.set(key, `SPDXRef-Package-${i}-${idPart(p.name)}`);
    const layer = report.layers[p.layerIndex];
    return [
      {
        SPDXID: spdxIds.get(key) as string,
        name: p.name,
        versionInfo: versionOf(p),
        downloadLocation: NOASSERTION,
        primaryPackagePurpose: 'LIBRARY',
        filesAnalyzed: false,
        licenseConcluded: NOASSERTION,
        licenseDeclared: licenseExpression(p.licenses, extracted),
        copyrightText: NOASSERTION,
        ...(p.hashes?.length
          ? {
              checksums: p.hashes.map((h) => ({
                algorithm: h.alg.replace('-', ''),
                checksumValue: h.content,
              })),
            }
          : {}),
        sourceInfo: `found in layer ${p.layerIndex}${layer?.createdBy ? ` (${layer.createdBy.slice(0, 200)})` : ''} at ${p.path}`,
        externalRefs: [
          { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: p.purl },
          ...(p.cpe
            ? [
                {
                  referenceCategory: 'SECURITY',
                  referenceType: 'cpe23Type',
                  referenceLocator: p.cpe,
                },
              ]
            : []),
        ],
        annotations: annotate(packageProperties(p, report)),
      },
    ];
  });
  const namespace = options.namespace ?? 'https://drydock.invalid/spdx';
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name,
    documentNamespace: `${namespace.replace(/\/+$/, '')}/${idPart(name)}-${randomUUID()}`,
    creationInfo: {
      created: spdxDate(now),
      creators: [`Tool: ${TOOL.name}-${report.scanner.version}`, `Organization: ${TOOL.vendor}`],
    },
    packages: [root, ...packages],
    ...(extracted.size
      ? {
          hasExtractedLicensingInfos: [...extracted].map(([licenseId, text]) => ({
            licenseId,
            name: text,
            extractedText: `The package declares the license "${text}".`,
          })),
        }
      : {}),
    relationships: [
      {
        spdxElementId: 'SPDXRef-DOCUMENT',
        relationshipType: 'DESCRIBES',
        relatedSpdxElement: root.SPDXID,
      },
      ...packages.map((p) => ({
        spdxElementId: root.SPDXID,
        relationshipType: 'CONTAINS',
        relatedSpdxElement: p.SPDXID,
      })),
      ...dependsOnRelationships(report, spdxIds),
    ],
  };
}

/** `A DEPENDS_ON B` for every dependency the package managers recorded, between occurrences. */
function dependsOnRelationships(report: ScanReport, spdxIds: Map<string, string>) {
  const dependsOn = dependencyRefs(report);
  const done = new Set<string>();
  return report.packages.flatMap((p) => {
    const from = componentRef(p.purl, p.path);
    if (done.has(from)) return [];
    done.add(from);
    const id = spdxIds.get(from) as string;
    return dependsOn(p).flatMap((ref) => {
      const to = spdxIds.get(ref);
      return to
        ? [{ spdxElementId: id, relationshipType: 'DEPENDS_ON', relatedSpdxElement: to }]
        : [];
    });
  });
}

// --- Validation -------------------------------------------------------------------------------
// After the official SPDX 2.3 JSON schema (schema/spdx-2.3.schema.json), our reading of the
// specification where it says more than the schema: the forms of ids, dates, creators and
// locators, and what no schema can say (every relationship names elements of the document,
// every LicenseRef is defined).

const SPDX_ID = /^SPDXRef-[A-Za-z0-9.-]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const CHECKSUM_ALGORITHMS = [
  'SHA1',
  'SHA224',
  'SHA256',
  'SHA384',
  'SHA512',
  'SHA3-256',
  'SHA3-384',
  'SHA3-512',
  'BLAKE2b-256',
  'BLAKE2b-384',
  'BLAKE2b-512',
  'BLAKE3',
  'MD2',
  'MD4',
  'MD5',
  'MD6',
  'ADLER32',
] as const;
const RELATIONSHIP_TYPES = [
  'DESCRIBES',
  'DESCRIBED_BY',
  'CONTAINS',
  'CONTAINED_BY',
  'DEPENDS_ON',
  'DEPENDENCY_OF',
  'DEPENDENCY_MANIFEST_OF',
  'BUILD_DEPENDENCY_OF',
  'DEV_DEPENDENCY_OF',
  'OPTIONAL_DEPENDENCY_OF',
  'PROVIDED_DEPENDENCY_OF',
  'TEST_DEPENDENCY_OF',
  'RUNTIME_DEPENDENCY_OF',
  'EXAMPLE_OF',
  'GENERATES',
  'GENERATED_FROM',
  'ANCESTOR_OF',
  'DESCENDANT_OF',
  'VARIANT_OF',
  'DISTRIBUTION_ARTIFACT',
  'PATCH_FOR',
  'PATCH_APPLIED',
  'COPY_OF',
  'FILE_ADDED',
  'FILE_DELETED',
  'FILE_MODIFIED',
  'EXPANDED_FROM_ARCHIVE',
  'DYNAMIC_LINK',
  'STATIC_LINK',
  'DATA_FILE_OF',
  'TEST_CASE_OF',
  'BUILD_TOOL_OF',
  'DEV_TOOL_OF',
  'TEST_OF',
  'TEST_TOOL_OF',
  'DOCUMENTATION_OF',
  'OPTIONAL_COMPONENT_OF',
  'METAFILE_OF',
  'PACKAGE_OF',
  'AMENDS',
  'PREREQUISITE_FOR',
  'HAS_PREREQUISITE',
  'REQUIREMENT_DESCRIPTION_FOR',
  'SPECIFICATION_FOR',
  'OTHER',
] as const;
const PURPOSES = [
  'APPLICATION',
  'FRAMEWORK',
  'LIBRARY',
  'CONTAINER',
  'OPERATING-SYSTEM',
  'DEVICE',
  'FIRMWARE',
  'SOURCE',
  'ARCHIVE',
  'FILE',
  'INSTALL',
  'OTHER',
] as const;

const Annotation = z.object({
  annotationDate: z.string().regex(DATE),
  annotationType: z.enum(['OTHER', 'REVIEW']),
  annotator: z.string().regex(/^(Person|Organization|Tool): .+/),
  comment: z.string(),
});
const ExternalRef = z.object({
  referenceCategory: z.enum([
    'SECURITY',
    'PACKAGE-MANAGER',
    'PACKAGE_MANAGER',
    'PERSISTENT-ID',
    'PERSISTENT_ID',
    'OTHER',
  ]),
  referenceType: z.string().min(1),
  referenceLocator: z.string().min(1).regex(/^\S+$/, 'a locator has no spaces'),
  comment: z.string().optional(),
});
const License = z.string().min(1);
const SpdxPackage = z.object({
  SPDXID: z.string().regex(SPDX_ID),
  name: z.string().min(1),
  versionInfo: z.string().optional(),
  downloadLocation: z.string().min(1),
  primaryPackagePurpose: z.enum(PURPOSES).optional(),
  filesAnalyzed: z.boolean().optional(),
  licenseConcluded: License.optional(),
  licenseDeclared: License.optional(),
  copyrightText: z.string().optional(),
  sourceInfo: z.string().optional(),
  checksums: z
    .array(
      z.object({
        algorithm: z.enum(CHECKSUM_ALGORITHMS),
        checksumValue: z.string().regex(/^[0-9a-f]+$/),
      }),
    )
    .optional(),
  externalRefs: z.array(ExternalRef).optional(),
  annotations: z.array(Annotation).optional(),
});
const SpdxDocumentSchema = z.object({
  spdxVersion: z.literal('SPDX-2.3'),
  dataLicense: z.literal('CC0-1.0'),
  SPDXID: z.literal('SPDXRef-DOCUMENT'),
  name: z.string().min(1),
  documentNamespace: z.url().refine((u) => !u.includes('#'), 'a namespace has no #'),
  creationInfo: z.object({
    created: z.string().regex(DATE),
    creators: z.array(z.string().regex(/^(Person|Organization|Tool): .+/)).min(1),
    licenseListVersion: z.string().optional(),
    comment: z.string().optional(),
  }),
  packages: z.array(SpdxPackage).optional(),
  files: z.array(z.object({ SPDXID: z.string().regex(SPDX_ID) })).optional(),
  snippets: z.array(z.object({ SPDXID: z.string().regex(SPDX_ID) })).optional(),
  documentDescribes: z.array(z.string()).optional(),
  hasExtractedLicensingInfos: z
    .array(
      z.object({
        licenseId: z.string().regex(/^LicenseRef-[A-Za-z0-9.-]+$/),
        extractedText: z.string().min(1),
        name: z.string().optional(),
      }),
    )
    .optional(),
  relationships: z
    .array(
      z.object({
        spdxElementId: z.string().min(1),
        relationshipType: z.enum(RELATIONSHIP_TYPES),
        relatedSpdxElement: z.string().min(1),
        comment: z.string().optional(),
      }),
    )
    .optional(),
});

let officialSchema: ValidateFunction | undefined;
/**
 * The official SPDX 2.3 JSON schema (spdx/spdx-spec `schemas/spdx-schema-2-3.json`, its
 * descriptions left out: see schema/README.md), compiled on first use.
 */
function spdxSchema(): ValidateFunction {
  if (!officialSchema) {
    const schema = JSON.parse(
      readFileSync(new URL('../schema/spdx-2.3.schema.json', import.meta.url), 'utf8'),
    );
    officialSchema = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  return officialSchema;
}

/**
 * Checks an SPDX 2.3 JSON document: the official JSON schema, then its form (see above, stricter
 * than the schema where the specification says more than the schema does), unique SPDX ids, relationships between
 * elements of the document, and license expressions of known ids or defined LicenseRefs.
 * Returns the problems (with their JSON paths), or null when there are none.
 */
export function validateSpdx(doc: unknown): string[] | null {
  const official = spdxSchema();
  if (!official(doc)) {
    return (official.errors ?? []).map(
      (e) =>
        `${e.instancePath.slice(1).replaceAll('/', '.') || '(document)'}: ${e.message ?? 'invalid'}${
          e.keyword === 'additionalProperties'
            ? ` (${(e.params as { additionalProperty?: string }).additionalProperty})`
            : ''
        } (SPDX 2.3 schema)`,
    );
  }
  const parsed = SpdxDocumentSchema.safeParse(doc);
  if (!parsed.success) {
    return parsed.error.issues.map((i) => `${i.path.join('.') || '(document)'}: ${i.message}`);
  }
  const d = parsed.data;
  const problems: string[] = [];
  const ids = new Set<string>(['SPDXRef-DOCUMENT']);
  for (const kind of ['packages', 'files', 'snippets'] as const) {
    for (const [i, e] of (d[kind] ?? []).entries()) {
      if (ids.has(e.SPDXID)) problems.push(`${kind}.${i}.SPDXID: ${e.SPDXID} is used twice`);
      ids.add(e.SPDXID);
    }
  }
  const refs = new Set((d.hasExtractedLicensingInfos ?? []).map((l) => l.licenseId));
  for (const [i, p] of (d.packages ?? []).entries()) {
    for (const field of ['licenseConcluded', 'licenseDeclared'] as const) {
      const value = p[field];
      if (!value || value === 'NOASSERTION' || value === 'NONE') continue;
      for (const token of licenseTokens(value)) {
        const ok = token.startsWith('LicenseRef-')
          ? refs.has(token)
          : SPDX.isSupportedSpdxId(token.replace(/\+$/, '')) || /-exception|Exception/.test(token);
        if (!ok)
          problems.push(
            `packages.${i}.${field}: ${token} is neither an SPDX license id nor a defined LicenseRef`,
          );
      }
    }
  }
  const special = (id: string) =>
    id === 'NOASSERTION' || id === 'NONE' || id.startsWith('DocumentRef-');
  for (const [i, r] of (d.relationships ?? []).entries()) {
    for (const id of [r.spdxElementId, r.relatedSpdxElement]) {
      if (!ids.has(id) && !special(id))
        problems.push(`relationships.${i}: ${id} is not an element of the document`);
    }
  }
  for (const [i, id] of (d.documentDescribes ?? []).entries()) {
    if (!ids.has(id))
      problems.push(`documentDescribes.${i}: ${id} is not an element of the document`);
  }
  if (
    !d.documentDescribes?.length &&
    !(d.relationships ?? []).some(
      (r) => r.spdxElementId === 'SPDXRef-DOCUMENT' && r.relationshipType === 'DESCRIBES',
    )
  ) {
    problems.push('relationships: the document DESCRIBES nothing');
  }
  return problems.length ? problems : null;
}
