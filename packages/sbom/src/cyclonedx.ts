import { randomUUID } from 'node:crypto';
import { Enums, Models, Serialize, SPDX, Spec, Validation } from '@cyclonedx/cyclonedx-library';
import type { ScanReport, VulnerabilityFinding } from '@drydock/contract';
import {
  componentRef,
  dependencyRefs,
  imageName,
  imagePurl,
  packageProperties,
  TOOL,
  versionOf,
} from './common.ts';

const ROOT_REF = 'image';

/** A license as CycloneDX wants it: an SPDX id, an SPDX expression, or a plain name. */
function licenseOf(value: string): Models.License {
  if (SPDX.isSupportedSpdxId(value)) return new Models.SpdxLicense(value);
  if (/\s(AND|OR|WITH)\s/.test(value)) return new Models.LicenseExpression(value);
  return new Models.NamedLicense(value);
}

function licensesOf(values: string[] | undefined): Models.LicenseRepository {
  const out = new Models.LicenseRepository();
  const licenses = (values ?? []).map(licenseOf);
  // An expression must stand alone; among several, expressions are kept as names.
  for (const l of licenses) {
    out.add(
      l instanceof Models.LicenseExpression && licenses.length > 1
        ? new Models.NamedLicense(l.expression)
        : l,
    );
  }
  return out;
}

const properties = (pairs: [string, string][]) =>
  new Models.PropertyRepository(pairs.map(([k, v]) => new Models.Property(k, v)));

const SEVERITY: Record<string, Enums.Vulnerability.Severity> = {
  critical: Enums.Vulnerability.Severity.Critical,
  high: Enums.Vulnerability.Severity.High,
  medium: Enums.Vulnerability.Severity.Medium,
  low: Enums.Vulnerability.Severity.Low,
  negligible: Enums.Vulnerability.Severity.Info,
  unknown: Enums.Vulnerability.Severity.Unknown,
};

export interface CycloneDxOptions {
  now?: Date;
  serialNumber?: string;
  /** Matched findings: written as the BOM's vulnerabilities, each affecting its component. */
  findings?: VulnerabilityFinding[];
}

/** The image's inventory as a CycloneDX model: the image as root, each package a component. */
export function cycloneDxBom(report: ScanReport, options: CycloneDxOptions = {}): Models.Bom {
  const t = report.target;
  const root = new Models.Component(Enums.ComponentType.Container, imageName(report), {
    bomRef: ROOT_REF,
    // The manifest digest identifies an image in a registry; an archive without one, its config.
    version: t.manifestDigest ?? t.configDigest,
    purl: imagePurl(report),
    properties: properties([
      ['drydock:image:configDigest', t.configDigest],
      ['drydock:image:platform', t.platform],
      ...(t.manifestDigest
        ? [['drydock:image:manifestDigest', t.manifestDigest] as [string, string]]
        : []),
      ...(report.os
        ? [
            ['drydock:os:family', report.os.family] as [string, string],
            ['drydock:os:version', report.os.version] as [string, string],
          ]
        : []),
      ...t.repoTags.map((tag) => ['drydock:image:tag', tag] as [string, string]),
      ...report.layers.flatMap((l): [string, string][] => [
        [`drydock:image:layer:${l.index}:diffID`, l.diffId],
        ...(l.createdBy
          ? [[`drydock:image:layer:${l.index}:createdBy`, l.createdBy] as [string, string]]
          : []),
      ]),
    ]),
  });
  if (t.manifestDigest) {
    root.hashes.set(Enums.HashAlgorithm['SHA-256'], t.manifestDigest.replace(/^sha256:/, ''));
  }
  const bom = new Models.Bom({
    serialNumber: options.serialNumber ?? `urn:uuid:${randomUUID()}`,
    metadata: new Models.Metadata({
      timestamp: options.now ?? new Date(),
      component: root,
      tools: new Models.Tools({
        components: new Models.ComponentRepository([
          new Models.Component(Enums.ComponentType.Application, TOOL.name, {
            version: report.scanner.version,
          }),
        ]),
      }),
    }),
  });
  const byRef = new Map<string, Models.Component>();
  for (const p of report.packages) {
    const ref = componentRef(p.purl, p.path);
    if (byRef.has(ref)) continue;
    const component = new Models.Component(Enums.ComponentType.Library, p.name, {
      bomRef: ref,
      version: versionOf(p),
      purl: p.purl,
      licenses: licensesOf(p.licenses),
      properties: properties(packageProperties(p, report)),
    });
    // CPEs the library accepts (2.2 URI or 2.3 formatted string).
    if (p.cpe) {
      try {
        component.cpe = p.cpe as typeof component.cpe;
      } catch {
        /* not a CPE the schema accepts: left out */
      }
    }
    for (const h of p.hashes ?? []) component.hashes.set(Enums.HashAlgorithm[h.alg], h.content);
    byRef.set(ref, component);
    bom.components.add(component);
    // The image ships every package; packages depend on each other as their managers record.
    root.dependencies.add(component.bomRef);
  }
  const dependsOn = dependencyRefs(report);
  for (const p of report.packages) {
    const component = byRef.get(componentRef(p.purl, p.path));
    for (const ref of dependsOn(p)) {
      const target = byRef.get(ref);
      if (component && target) component.dependencies.add(target.bomRef);
    }
  }
  for (const f of options.findings ?? []) {
    const target = byRef.get(componentRef(f.purl, f.path));
    const v = new Models.Vulnerability.Vulnerability({
      bomRef: `${f.id}|${f.purl}|${f.path}`,
      id: f.id,
      ...(f.advisoryIds[0]
        ? {
            source: new Models.Vulnerability.Source({
              name: f.advisoryIds[0],
              ...(f.references[0] ? { url: f.references[0] } : {}),
            }),
          }
        : {}),
      description: f.title,
      ...(f.description ? { detail: f.description } : {}),
      ...(f.fixCommand ? { recommendation: f.fixCommand } : {}),
      properties: properties([
        ['drydock:priority', f.priority],
        ['drydock:knownExploited', String(f.knownExploited)],
        ...(f.fixedVersion ? [['drydock:fixedVersion', f.fixedVersion] as [string, string]] : []),
      ]),
    });
    v.ratings.add(
      new Models.Vulnerability.Rating({
        severity: SEVERITY[f.severity] ?? Enums.Vulnerability.Severity.Unknown,
        ...(f.cvss
          ? {
              score: f.cvss.score,
              method: f.cvss.version.startsWith('4')
                ? Enums.Vulnerability.RatingMethod.CVSSv4
                : f.cvss.version === '3.0'
                  ? Enums.Vulnerability.RatingMethod.CVSSv3
                  : f.cvss.version.startsWith('2')
                    ? Enums.Vulnerability.RatingMethod.CVSSv2
                    : Enums.Vulnerability.RatingMethod.CVSSv31,
              ...(f.cvss.vector ? { vector: f.cvss.vector } : {}),
            }
          : {}),
      }),
    );
    if (target) v.affects.add(new Models.Vulnerability.Affect(target.bomRef));
    bom.vulnerabilities.add(v);
  }
  return bom;
}

const serializer = new Serialize.JsonSerializer(
  new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6),
);

/** CycloneDX 1.6 JSON of an image's inventory (and findings, when given). */
export function toCycloneDx(report: ScanReport, options: CycloneDxOptions = {}): string {
  return `${serializer.serialize(cycloneDxBom(report, options), { sortLists: true, space: 2 })}\n`;
}

const validator = new Validation.JsonStrictValidator(Spec.Version.v1dot6);

/**
 * Validates a CycloneDX 1.6 JSON document against the official schema (bundled with the
 * CycloneDX library). Returns the schema's complaints, or null when valid.
 */
export async function validateCycloneDx(json: string): Promise<unknown[] | null> {
  const errors = await validator.validate(json);
  return errors === null ? null : (errors as unknown[]);
}
