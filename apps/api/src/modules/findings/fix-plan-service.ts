import { COMPARATORS, fixCommand, schemeOfPackageType } from '@drydock/advisories';
import {
  CategorySchema,
  type FixAction,
  type FixPlan,
  type FixPlanQuery,
  type PackageType,
} from '@drydock/contract';
import type { Visibility } from '../../auth/permissions.ts';
import type { FindingsRepository } from './findings-repository.ts';
import type { FixGroupRow } from './fix-plan-repository.ts';

/** Actions whose images are listed in the plan itself (the rest: on demand, by filter). */
const WITH_IMAGES = 10;

/** The highest of a package's fixed versions, compared as its ecosystem does. */
function highest(type: string | null, versions: string[]): string | null {
  const scheme = type ? schemeOfPackageType(type) : undefined;
  const compare = scheme ? COMPARATORS[scheme] : (a: string, b: string) => a.localeCompare(b);
  return versions.reduce<string | null>(
    (top, v) => (top === null || compare(v, top) > 0 ? v : top),
    null,
  );
}

const shortLayer = (diffId: string) => diffId.replace(/^sha256:/, '').slice(0, 12);

/** `type name version` entries → each package once, at the highest of its fixed versions. */
function packagesOf(entries: string[]): FixAction['packages'] {
  const by = new Map<string, { type: string; name: string; versions: string[] }>();
  for (const entry of entries) {
    const [type = '', name = '', ...rest] = entry.split(' ');
    const key = `${type} ${name}`;
    const p = by.get(key) ?? { type, name, versions: [] };
    p.versions.push(rest.join(' '));
    by.set(key, p);
  }
  return [...by.values()]
    .map((p) => ({ type: p.type, name: p.name, version: highest(p.type, p.versions) ?? '' }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function toAction(row: FixGroupRow): Omit<FixAction, 'sampleImages'> {
  const category = CategorySchema.parse(row.category);
  const packages = packagesOf(row.packages);
  const counts = {
    images: Number(row.images),
    imagesCleared: Number(row.images_cleared),
    findings: Number(row.findings),
    highFindings: Number(row.high),
    knownExploited: Number(row.kev),
    vulnerabilities: [...row.vulnerabilities].sort(),
  };
  if (row.kind === 'upgrade') {
    // One package: the highest of the versions its findings need.
    const target = packages[0]?.version ?? null;
    const name = row.package_name ?? '';
    return {
      key: `upgrade:${row.package_type}:${name}`,
      kind: 'upgrade',
      title: `Upgrade ${name} (${row.package_type}) to ${target}`,
      category,
      packageType: row.package_type,
      packageName: name,
      targetVersion: target,
      fixCommand: target
        ? fixCommand({ type: row.package_type as PackageType, name }, target)
        : null,
      baseLayer: null,
      step: null,
      packages,
      ...counts,
    };
  }
  if (row.kind === 'step') {
    const step = row.created_by ?? '';
    // `RUN /bin/sh -c npm ci` → `RUN npm ci`; `/bin/sh -c #(nop) COPY …` → `COPY …`.
    const shown = step
      .replace(/^(RUN )?\/bin\/sh -c (#\(nop\) *)?/, (_m, run?: string) => run ?? '')
      .slice(0, 80);
    return {
      key: `step:${row.layer_key}`,
      kind: 'step',
      title: `Change the Dockerfile step "${shown}"`,
      category,
      packageType: null,
      packageName: null,
      targetVersion: null,
      fixCommand: `In this step, install ${packages
        .slice(0, 8)
        .map((p) => `${p.name} ${p.version}`)
        .join(', ')}${packages.length > 8 ? ` and ${packages.length - 8} more` : ''} or later`,
      baseLayer: null,
      step,
      packages,
      ...counts,
    };
  }
  const diffId = row.layer_key ?? '';
  return {
    key: `rebase:${diffId}`,
    kind: 'rebase',
    title: row.base_name
      ? `Rebuild from a newer ${row.base_name}`
      : `Rebuild from a newer base image (base layers up to ${shortLayer(diffId)})`,
    category,
    packageType: null,
    packageName: null,
    targetVersion: null,
    fixCommand: `Pull the newest tag of ${row.base_name ?? 'the base image'} (FROM …) and rebuild every image on it`,
    baseLayer: { diffId, createdBy: row.created_by, name: row.base_name },
    step: null,
    packages,
    ...counts,
  };
}

/**
 * The fix plan: every open finding with a published fix, grouped by the one action that removes
 * it (upgrade a package to the highest fixed version its findings need; rebuild the images of a
 * shared base layer from a newer base; change the Dockerfile step of the images' own layers that
 * installed the vulnerable versions), ranked by images left with no open finding, then images
 * touched, High findings and known-exploited findings cleared.
 */
export function createFixPlanService(repo: FindingsRepository, now: () => Date = () => new Date()) {
  return {
    async fixPlan(q: FixPlanQuery & { visible?: Visibility }): Promise<FixPlan> {
      const pendingImages = await repo.catchUpFixActions();
      // Ranked in SQL (images cleared, images, High, known-exploited, findings).
      const [groups, counts, cleared] = await Promise.all([
        repo.fixGroups(q, q.limit),
        repo.fixableCounts(q),
        repo.clearedSince(q, new Date(now().getTime() - 7 * 24 * 3600_000)),
      ]);
      const ranked = groups.map((g) => ({ action: toAction(g), top: g.top_images ?? [] }));
      const listed = ranked.slice(0, WITH_IMAGES);
      const refs = await repo.imageRefs([...new Set(listed.flatMap((r) => r.top))]);
      const actions: FixAction[] = ranked.map(({ action, top }, i) => ({
        ...action,
        sampleImages:
          i < WITH_IMAGES
            ? top.flatMap((id) => {
                const ref = refs.get(id);
                return ref ? [ref] : [];
              })
            : [],
      }));
      return {
        ...counts,
        actions,
        pendingImages,
        cleared: cleared.map((c) => ({
          category: c.category,
          packageName: c.package_name,
          findings: Number(c.findings),
          images: Number(c.images),
          lastAt: c.last_at.toISOString(),
        })),
      };
    },
  };
}
export type FixPlanService = ReturnType<typeof createFixPlanService>;
