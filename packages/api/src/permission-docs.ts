import type { Role } from "@wharf/db";

import { PERMISSION_DESCRIPTIONS, PERMISSIONS, ROLE_PERMISSIONS, ROLES } from "./permissions";
import { appRouter } from "./root";
import type { Meta } from "./trpc";

export const TABLE_START = "<!-- permissions:start (generated from packages/api/src/permissions.ts and the routers' declarations: npm run docs:permissions) -->";
export const TABLE_END = "<!-- permissions:end -->";

export interface DeclaredProcedure {
  path: string;
  type: "query" | "mutation" | "subscription";
  meta: Meta;
}

/** Every procedure of the API with its declaration, in path order. */
export function declaredProcedures(): DeclaredProcedure[] {
  const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { type: DeclaredProcedure["type"]; meta?: Meta } }>;
  return Object.entries(procedures)
    .map(([path, procedure]) => ({ path, type: procedure._def.type, meta: procedure._def.meta ?? {} }))
    .sort((a, b) => a.path.localeCompare(b.path));
}

const roleName = (role: Role): string => role.charAt(0) + role.slice(1).toLowerCase();
const code = (text: string): string => `\`${text}\``;

export function renderPermissionTable(): string {
  const procedures = declaredProcedures();
  const header = ["permission", "allows", ...ROLES.map(roleName), "procedures"];
  const rows = PERMISSIONS.map((permission) => {
    const users = procedures.filter((p) => p.meta.permission === permission).map((p) => `${code(p.path)} (${p.meta.resource})`);
    return [code(permission), PERMISSION_DESCRIPTIONS[permission], ...ROLES.map((role) => (ROLE_PERMISSIONS[role].has(permission) ? "✓" : "–")), users.join(", ") || "(none yet)"];
  });
  const open = (kind: "public" | "signedIn" | "self") =>
    procedures
      .filter((p) => p.meta[kind] && !p.meta.permission)
      .map((p) => code(p.path))
      .join(", ");
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
    "",
    `Any signed-in user, whatever their role: ${open("signedIn")}. On the signed-in user's own account only: ${open("self")}. Without signing in: ${open("public")}.`,
  ].join("\n");
}

/** The README with the table between its markers replaced; throws when the markers are missing. */
export function withPermissionTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md lacks the markers ${TABLE_START} … ${TABLE_END}`);
  return `${readme.slice(0, start + TABLE_START.length)}\n${renderPermissionTable()}\n${readme.slice(end)}`;
}
