import { describe, expect, it } from "vitest";

import { parseOidcRoleMap, roleForGroups } from "./oidc-roles";

describe("WHARF_OIDC_ROLE_MAP", () => {
  it("reads group=role pairs, any case, spaces around them ignored; a group name may contain =", () => {
    expect(parseOidcRoleMap(" wharf-admins=admin, developers = Deployer ,team=ops=owner,")).toEqual({
      "wharf-admins": "ADMIN",
      developers: "DEPLOYER",
      "team=ops": "OWNER",
    });
  });

  it("names the bad entry", () => {
    expect(() => parseOidcRoleMap("admins=admin,devs")).toThrow('"devs" is not group=role (roles: owner, admin, deployer, viewer)');
    expect(() => parseOidcRoleMap("admins=superuser")).toThrow('"admins=superuser" is not group=role');
    expect(() => parseOidcRoleMap("=admin")).toThrow('"=admin" is not group=role');
    expect(parseOidcRoleMap("")).toEqual({});
  });

  it("gives the strongest role among the user's mapped groups, or none", () => {
    const map = parseOidcRoleMap("everyone=viewer,developers=deployer,wharf-admins=admin");
    expect(roleForGroups(map, ["everyone", "wharf-admins", "developers"])).toBe("ADMIN");
    expect(roleForGroups(map, ["everyone"])).toBe("VIEWER");
    expect(roleForGroups(map, ["strangers"])).toBeNull();
    expect(roleForGroups(map, [])).toBeNull();
  });
});
