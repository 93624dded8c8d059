import { readFileSync } from "node:fs";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { declaredProcedures, renderPermissionTable, TABLE_END, TABLE_START, withPermissionTable } from "./permission-docs";
import { PERMISSIONS, roleCan } from "./permissions";
import { effectiveRole, RESOURCE_KINDS } from "./services/access";

const PUBLIC_PROCEDURES = ["health.check", "setup.status", "setup.complete", "invitation.preview", "invitation.signUp"];
// chat.link: like accepting an invitation, a one-time token; the service checks membership of the token's team.
const SIGNED_IN_PROCEDURES = ["team.list", "team.create", "invitation.accept", "chat.link"];
/** The signed-in user's own account: no team, no role; the account router and nothing else. */
const isSelfProcedure = (name: string) => name.startsWith("account.");

describe("procedure permissions", () => {
  const procedures = declaredProcedures();

  it("every procedure declares a known permission and resource, except the public and signed-in allow-lists", () => {
    expect(procedures.length).toBeGreaterThan(10);
    for (const { path: name, meta } of procedures) {
      if (PUBLIC_PROCEDURES.includes(name) || SIGNED_IN_PROCEDURES.includes(name)) {
        expect(meta.permission, name).toBeUndefined();
        continue;
      }
      if (isSelfProcedure(name)) {
        expect(meta, name).toEqual({ self: true });
        continue;
      }
      expect(PERMISSIONS, `${name} must declare a permission`).toContain(meta.permission);
      expect(RESOURCE_KINDS, `${name} must declare the resource it acts on`).toContain(meta.resource);
    }
  });

  it("no procedure outside the allow-lists is public or open to any signed-in user", () => {
    const open = (kind: "public" | "signedIn") =>
      procedures
        .filter((p) => p.meta[kind] && !p.meta.permission)
        .map((p) => p.path)
        .sort();
    expect(open("public")).toEqual([...PUBLIC_PROCEDURES].sort());
    expect(open("signedIn")).toEqual([...SIGNED_IN_PROCEDURES].sort());
  });

  it("only the account router acts on the caller's own account, outside any team", () => {
    const selfOnes = procedures.filter((p) => p.meta.self).map((p) => p.path);
    expect(selfOnes.length).toBeGreaterThan(0);
    expect(selfOnes.filter((path) => !isSelfProcedure(path))).toEqual([]);
  });

  it("viewers cannot change hosts; owners can do everything", () => {
    expect(roleCan("VIEWER", "host:write")).toBe(false);
    expect(roleCan("VIEWER", "host:read")).toBe(true);
    for (const permission of PERMISSIONS) expect(roleCan("OWNER", permission)).toBe(true);
  });

  it("deployers run stacks and read logs but cannot edit them; viewers only read them", () => {
    expect(roleCan("DEPLOYER", "stack:deploy")).toBe(true);
    expect(roleCan("DEPLOYER", "logs:read")).toBe(true);
    expect(roleCan("DEPLOYER", "stack:write")).toBe(false);
    expect(roleCan("VIEWER", "stack:read")).toBe(true);
    expect(roleCan("VIEWER", "stack:deploy")).toBe(false);
    expect(roleCan("VIEWER", "logs:read")).toBe(false);
    expect(roleCan("ADMIN", "stack:write")).toBe(true);
    expect(roleCan("ADMIN", "team:manage")).toBe(false);
  });
});

describe("environment-scoped grants", () => {
  const scoped = { role: "DEPLOYER" as const, environmentIds: ["staging"] };

  it("apply the role only when every environment the call touches is granted", () => {
    expect(effectiveRole(scoped, ["staging"])).toBe("DEPLOYER");
    expect(effectiveRole(scoped, ["staging", "production"])).toBe("VIEWER");
    expect(effectiveRole(scoped, ["production"])).toBe("VIEWER");
  });

  it("give viewer rights on team-wide actions; a team-wide grant applies everywhere", () => {
    expect(effectiveRole(scoped, null)).toBe("VIEWER");
    expect(effectiveRole({ role: "DEPLOYER", environmentIds: null }, ["production"])).toBe("DEPLOYER");
    expect(effectiveRole({ role: "ADMIN", environmentIds: null }, null)).toBe("ADMIN");
  });
});

describe("README permission table", () => {
  const readme = readFileSync(path.join(import.meta.dirname, "..", "..", "..", "README.md"), "utf8");

  it("is the one generated from the declarations (run npm run docs:permissions after changing them)", () => {
    expect(readme).toContain(TABLE_START);
    expect(withPermissionTable(readme)).toBe(readme);
  });

  it("lists every permission and every declared procedure", () => {
    const table = renderPermissionTable();
    for (const permission of PERMISSIONS) expect(table).toContain(`\`${permission}\``);
    for (const { path: name } of declaredProcedures()) expect(table).toContain(`\`${name}\``);
    expect(readme.indexOf(TABLE_END)).toBeGreaterThan(readme.indexOf(TABLE_START));
  });
});
