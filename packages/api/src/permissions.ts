import type { Role } from "@wharf/db";

/** Every permission a procedure can declare. Roles grant subsets of these. */
export const PERMISSIONS = [
  "team:read",
  "team:manage",
  "host:read",
  "host:write",
  "credential:read",
  "credential:write",
  "audit:read",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const READ: Permission[] = ["team:read", "host:read", "credential:read", "audit:read"];

export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  OWNER: new Set(PERMISSIONS),
  ADMIN: new Set<Permission>([...READ, "host:write", "credential:write"]),
  DEPLOYER: new Set<Permission>(READ),
  VIEWER: new Set<Permission>(["team:read", "host:read", "audit:read"]),
};

export function roleCan(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}
