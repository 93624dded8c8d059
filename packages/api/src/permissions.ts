import type { Role } from "@wharf/db";

/**
 * Every permission a procedure can declare, with what it allows (the README's
 * table is generated from these descriptions and ROLE_PERMISSIONS).
 */
export const PERMISSION_DESCRIPTIONS = {
  "team:read": "See the team, its members and environments",
  "team:manage": "Rename the team, transfer ownership",
  "member:manage": "Invite, remove and change the role of members (only owners grant or change the owner role)",
  "environment:manage": "Create, rename and remove environments; move hosts between them",
  "host:read": "See hosts, their facts, containers, images, volumes and networks",
  "host:write": "Add, reinstall and remove hosts",
  "credential:read": "See SSH keys (public parts only)",
  "credential:write": "Generate, import, rename and remove SSH keys",
  "audit:read": "See the audit trail",
  "stack:read": "See stacks, their revisions, status and jobs",
  "stack:config": "See a stack's merged compose config (the preview)",
  "stack:write": "Create, edit and remove stacks; save revisions",
  "stack:deploy": "Deploy, stop, restart, roll back and take down stacks",
  "logs:read": "Read container logs",
  "terminal:open": "Open a terminal in a container",
  "volume:browse": "List the files inside a volume, view and download them (each read audited)",
  "registry:read": "See the registries a team pulls from",
  "registry:manage": "Add, change and remove registries and their credentials",
  "deployment:approve": "Approve or reject a deployment waiting in a protected environment",
  "policy:manage": "Change protected-environment settings and compose guardrail policies",
  "token:manage": "Create, list and revoke the team's API tokens",
  "webhook:manage": "Add, change, test and remove outgoing webhook targets; read their delivery log",
  "chat:manage": "Set the chat app's signing secret, see and unlink linked chat users",
  "deployhook:manage": "Create, rotate and revoke a stack's deploy hook (it deploys as its creator)",
} as const satisfies Record<string, string>;

export type Permission = keyof typeof PERMISSION_DESCRIPTIONS;
export const PERMISSIONS = Object.keys(PERMISSION_DESCRIPTIONS) as Permission[];

const VIEW: Permission[] = ["team:read", "host:read", "audit:read", "stack:read", "registry:read"];
const DEPLOY: Permission[] = [...VIEW, "credential:read", "stack:config", "stack:deploy", "logs:read"];

export const ROLE_PERMISSIONS: Record<Role, ReadonlySet<Permission>> = {
  OWNER: new Set(PERMISSIONS),
  ADMIN: new Set(PERMISSIONS.filter((permission) => permission !== "team:manage")),
  // Runs actions on stacks (deploy, stop, rollback...) but cannot change their files or targets.
  DEPLOYER: new Set(DEPLOY),
  VIEWER: new Set(VIEW),
};

export const ROLES = Object.keys(ROLE_PERMISSIONS) as Role[];

export function roleCan(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}
