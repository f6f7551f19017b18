import type { Role } from '@drydock/contract';

/**
 * What a route needs. read: see findings, images, scans, registries; scan: Scan Now, sync,
 * uploads, CLI reports; triage: ignore/handle; audit: the security and triage logs; admin:
 * accounts, registries, advisory imports; self: one's own session and tokens.
 */
export type Permission = 'read' | 'scan' | 'triage' | 'audit' | 'admin' | 'self';

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: ['read', 'scan', 'triage', 'audit', 'admin', 'self'],
  analyst: ['read', 'scan', 'triage', 'self'],
  viewer: ['read', 'self'],
  auditor: ['read', 'audit', 'self'],
};

export const can = (role: Role, permission: Permission) =>
  ROLE_PERMISSIONS[role].includes(permission);

/** A role whose permissions are all held by another (a token never exceeds its creator). */
export const roleWithin = (role: Role, of: Role) => ROLE_PERMISSIONS[role].every((p) => can(of, p));

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
  sessionId?: string;
  csrfToken?: string;
  tokenId?: string;
}
