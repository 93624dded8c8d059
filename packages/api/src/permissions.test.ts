import { describe, expect, it } from "vitest";

import { PERMISSIONS, roleCan } from "./permissions";
import { appRouter } from "./root";

const PUBLIC_PROCEDURES = ["health.check", "setup.status", "setup.complete"];
/** The signed-in user's own account: no team, no role; the account router and nothing else. */
const isSelfProcedure = (path: string) => path.startsWith("account.");

describe("procedure permissions", () => {
  const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, unknown>) as [string, { _def: { meta?: { public?: true; permission?: string; self?: true } } }][];

  it("every procedure declares a known permission, except the public allow-list", () => {
    expect(procedures.length).toBeGreaterThan(10);
    for (const [path, procedure] of procedures) {
      const meta = procedure._def.meta;
      if (PUBLIC_PROCEDURES.includes(path)) {
        expect(meta?.permission, path).toBeUndefined();
        continue;
      }
      if (isSelfProcedure(path)) {
        expect(meta, path).toEqual({ self: true });
        continue;
      }
      expect(PERMISSIONS, `${path} must declare a permission`).toContain(meta?.permission);
    }
  });

  it("no procedure outside the allow-list is public", () => {
    const publicOnes = procedures.filter(([, p]) => p._def.meta?.public && !p._def.meta.permission).map(([path]) => path);
    expect(publicOnes.sort()).toEqual([...PUBLIC_PROCEDURES].sort());
  });

  it("only the account router acts on the caller's own account, outside any team", () => {
    const selfOnes = procedures.filter(([, p]) => p._def.meta?.self).map(([path]) => path);
    expect(selfOnes.length).toBeGreaterThan(0);
    expect(selfOnes.filter((path) => !isSelfProcedure(path))).toEqual([]);
  });

  it("viewers cannot change hosts; owners can do everything", () => {
    expect(roleCan("VIEWER", "host:write")).toBe(false);
    expect(roleCan("VIEWER", "host:read")).toBe(true);
    for (const permission of PERMISSIONS) expect(roleCan("OWNER", permission)).toBe(true);
  });

  it("deployers run stacks but cannot edit them; viewers only read them", () => {
    expect(roleCan("DEPLOYER", "stack:deploy")).toBe(true);
    expect(roleCan("DEPLOYER", "stack:write")).toBe(false);
    expect(roleCan("VIEWER", "stack:read")).toBe(true);
    expect(roleCan("VIEWER", "stack:deploy")).toBe(false);
    expect(roleCan("ADMIN", "stack:write")).toBe(true);
  });
});
