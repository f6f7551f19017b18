import { Prisma } from '@drydock/db';
import type { Visibility } from './permissions.ts';

const sql = Prisma.sql;

/**
 * A scoped principal's images as a SQL condition on namespace `n` (joined through repository
 * `r`): images of its instances or namespaces. Uploaded images (no namespace) are outside every
 * scope. `null` (unscoped) is no condition.
 */
export function visibleSql(visible: Visibility | undefined): Prisma.Sql | undefined {
  if (!visible) return undefined;
  return sql`(n.instance_id = ANY(${visible.instanceIds}::uuid[]) OR n.id = ANY(${visible.namespaceIds}::uuid[]))`;
}

/** The same as a Prisma filter on an image. */
export function visibleImageWhere(visible: Visibility | undefined): Prisma.ImageWhereInput {
  if (!visible) return {};
  return {
    repository: {
      namespace: {
        OR: [{ instanceId: { in: visible.instanceIds } }, { id: { in: visible.namespaceIds } }],
      },
    },
  };
}

/** Registry instances a scoped principal may see: its own, and those of its namespaces. */
export function visibleInstanceWhere(
  visible: Visibility | undefined,
): Prisma.RegistryInstanceWhereInput {
  if (!visible) return {};
  return {
    OR: [
      { id: { in: visible.instanceIds } },
      { namespaces: { some: { id: { in: visible.namespaceIds } } } },
    ],
  };
}
