import { describe, expect, it } from "vitest";

import { resolveClientAddress } from "./client-ip";

describe("resolveClientAddress", () => {
  it("with no trusted proxy, is the socket address whatever the client claims", () => {
    expect(resolveClientAddress("1.2.3.4", "203.0.113.5", 0)).toBe("203.0.113.5");
    expect(resolveClientAddress(undefined, "::ffff:203.0.113.5", 0)).toBe("203.0.113.5");
  });

  it("believes only the entries the trusted proxies appended", () => {
    // client forged 1.2.3.4; the one proxy (socket 10.0.0.2) appended the real peer 198.51.100.7
    expect(resolveClientAddress("1.2.3.4, 198.51.100.7", "10.0.0.2", 1)).toBe("198.51.100.7");
    expect(resolveClientAddress(["1.2.3.4", "198.51.100.7, 10.0.0.3"], "10.0.0.2", 2)).toBe("198.51.100.7");
  });

  it("takes the farthest address when fewer hops came than proxies are configured", () => {
    expect(resolveClientAddress(undefined, "10.0.0.2", 1)).toBe("10.0.0.2");
    expect(resolveClientAddress(undefined, undefined, 0)).toBeNull();
  });
});
