import { type Permission, permissionsOf, ROLE_PERMISSIONS, type Role } from '@drydock/contract';

export type { Permission };

/** A role whose permissions are all held by another (a token never exceeds its creator). */
export const roleWithin = (role: Role, of: Role) =>
  ROLE_PERMISSIONS[role].every((p) => ROLE_PERMISSIONS[of].includes(p));

/** The images a principal may see: null = all; else registry instances and namespaces. */
export type Visibility = { instanceIds: string[]; namespaceIds: string[] } | null;

export const visibilityOf = (v: { instanceIds: string[]; namespaceIds: string[] }): Visibility =>
  v.instanceIds.length || v.namespaceIds.length
    ? { instanceIds: v.instanceIds, namespaceIds: v.namespaceIds }
    : null;

/** A scope that lies within another (an unscoped principal contains everything). */
export function scopeWithin(
  inner: Visibility,
  outer: Visibility,
  namespaceInstance: Map<string, string>,
) {
  if (outer === null) return true;
  if (inner === null) return false;
  return (
    inner.instanceIds.every((i) => outer.instanceIds.includes(i)) &&
    inner.namespaceIds.every(
      (n) =>
        outer.namespaceIds.includes(n) ||
        outer.instanceIds.includes(namespaceInstance.get(n) ?? ''),
    )
  );
}

export interface Principal {
  kind: 'session' | 'token';
  userId: string;
  /** The user name (tokens act as `user (token name)`). */
  name: string;
  role: Role;
  visible: Visibility;
  /** What it may do: its role's permissions, without the global ones when it is scoped. */
  permissions: readonly Permission[];
  sessionId?: string;
  csrfToken?: string;
  tokenId?: string;
}

export const principalPermissions = (role: Role, visible: Visibility) =>
  permissionsOf(role, visible !== null);

export const can = (principal: Pick<Principal, 'permissions'>, permission: Permission) =>
  principal.permissions.includes(permission);
