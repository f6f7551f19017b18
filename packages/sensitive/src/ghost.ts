import {
  type LayerInfo,
  PRIORITY_RANK,
  priorityOfRank,
  type ScanReport,
  type SensitiveFinding,
  type VulnerabilityFinding,
} from '@drydock/contract';
import { findingId } from './text.ts';

type RemovedPackage = NonNullable<ScanReport['removedPackages']>[number];

const FIX =
  'Remove it in the same RUN step that installs it, or build in stages (multi-stage build) and COPY only what the final image needs into a fresh stage (or squash the layers): a deletion in a later layer hides the files from the container, but every layer is still downloaded with the image and can be extracted from it.';

/**
 * Ghost content: vulnerable packages that a later layer deleted but that still ship in the
 * layer that installed them. `vulnerabilities` are the removed packages' findings (matched like
 * the installed ones). One row per package (purl) across images; the highest priority of its
 * vulnerabilities is its priority.
 */
export function ghostFindings(
  removed: RemovedPackage[],
  vulnerabilities: VulnerabilityFinding[],
  layers: LayerInfo[],
): SensitiveFinding[] {
  const byPackage = new Map<string, VulnerabilityFinding[]>();
  for (const v of vulnerabilities) {
    const key = `${v.purl}|${v.path}`;
    byPackage.set(key, [...(byPackage.get(key) ?? []), v]);
  }
  const out: SensitiveFinding[] = [];
  for (const pkg of removed) {
    const vulns = byPackage.get(`${pkg.purl}|${pkg.path}`);
    if (!vulns?.length) continue;
    const rank = Math.max(...vulns.map((v) => PRIORITY_RANK[v.priority]));
    const added = layers[pkg.layerIndex];
    const deleted = layers[pkg.deletedInLayer];
    const ids = [...new Set(vulns.map((v) => v.id))].sort();
    const kev = vulns.some((v) => v.knownExploited);
    out.push({
      id: findingId('ghost-package', pkg.purl),
      kind: 'ghost',
      ruleId: 'ghost-package',
      title: `${pkg.name} ${pkg.version} deleted but still shipped`,
      category: 'Ghost content',
      priority: priorityOfRank(rank),
      location: pkg.path,
      layerIndex: pkg.layerIndex,
      layerDiffId: pkg.layerDiffId,
      ...(added?.createdBy ? { createdBy: added.createdBy } : {}),
      deletedInLayer: pkg.deletedInLayer,
      ...(deleted?.createdBy ? { deletedBy: deleted.createdBy } : {}),
      description: `${pkg.type} package ${pkg.name} ${pkg.version} (${ids.length} vulnerabilit${ids.length === 1 ? 'y' : 'ies'}: ${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''}${kev ? '; known exploited' : ''}) was added in layer ${pkg.layerIndex}${added?.createdBy ? ` by ${added.createdBy}` : ''} and deleted in layer ${pkg.deletedInLayer}${deleted?.createdBy ? ` by ${deleted.createdBy}` : ''}. The container does not see it, but its files still ship in layer ${pkg.layerIndex}: anyone can extract them, and scanners that look only at the final filesystem miss them.`,
      fix: FIX,
      references: [...new Set(vulns.flatMap((v) => v.references.slice(0, 1)))].slice(0, 5),
      package: { name: pkg.name, version: pkg.version, type: pkg.type, purl: pkg.purl },
      vulnerabilities: ids,
      source: 'drydock',
    });
  }
  return out;
}
