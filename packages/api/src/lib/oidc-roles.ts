import type { Role } from "@wharf/db";

/** Strongest first: a user in several mapped groups gets the strongest of their roles. No runtime imports: env.ts loads this. */
const ROLE_ORDER = ["OWNER", "ADMIN", "DEPLOYER", "VIEWER"] as const satisfies readonly Role[];

const isRole = (value: string): value is Role => (ROLE_ORDER as readonly string[]).includes(value);

/**
 * Parses WHARF_OIDC_ROLE_MAP: `group=role` pairs separated by commas, e.g.
 * `wharf-admins=admin,developers=deployer,everyone=viewer`. Throws a message
 * naming the bad entry.
 */
export function parseOidcRoleMap(text: string): Record<string, Role> {
  const map: Record<string, Role> = {};
  for (const entry of text
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean)) {
    const at = entry.lastIndexOf("=");
    const group = entry.slice(0, Math.max(at, 0)).trim();
    const role = entry.slice(at + 1).trim().toUpperCase();
    if (!group || !isRole(role)) throw new Error(`"${entry}" is not group=role (roles: ${ROLE_ORDER.map((r) => r.toLowerCase()).join(", ")})`);
    map[group] = role;
  }
  return map;
}

export function roleForGroups(roleMap: Record<string, Role>, groups: string[]): Role | null {
  const granted = new Set(groups.flatMap((group) => (roleMap[group] ? [roleMap[group]] : [])));
  return ROLE_ORDER.find((role) => granted.has(role)) ?? null;
}
