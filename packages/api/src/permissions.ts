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
  "stack:read",
  "stack:write",
  "stack:deploy",
  /** A shell inside a container (`docker exec`): as much as root on it, so it is granted apart from host:write. */
  "terminal:open",
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const READ: Permission[] = ["team:read", "host:read", "credential:read", "audit:read", "stack:read"];

export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  OWNER: new Set(PERMISSIONS),
  ADMIN: new Set<Permission>([...READ, "host:write", "credential:write", "stack:write", "stack:deploy", "terminal:open"]),
  // Runs actions on stacks (deploy, stop, rollback...) but cannot change their files or targets.
  DEPLOYER: new Set<Permission>([...READ, "stack:deploy"]),
  VIEWER: new Set<Permission>(["team:read", "host:read", "audit:read", "stack:read"]),
};

export function roleCan(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}
