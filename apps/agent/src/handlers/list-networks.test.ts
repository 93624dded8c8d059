import { networkSummary } from "@wharf/agent-protocol";
import { describe, expect, it } from "vitest";

import { toNetworkSummary } from "./list-networks";

describe("toNetworkSummary", () => {
  it("collects subnets and normalises the creation time", () => {
    const summary = toNetworkSummary({
      Id: "n1",
      Name: "stack_default",
      Driver: "bridge",
      Scope: "local",
      Internal: false,
      Created: "2025-11-27T18:58:12.123456789Z",
      IPAM: { Config: [{ Subnet: "172.18.0.0/16" }, { Subnet: "fd00::/64" }, {}] },
    });
    expect(networkSummary.parse(summary)).toEqual({
      id: "n1",
      name: "stack_default",
      driver: "bridge",
      scope: "local",
      internal: false,
      subnets: ["172.18.0.0/16", "fd00::/64"],
      createdAt: "2025-11-27T18:58:12.123Z",
    });
  });

  it("handles networks without IPAM (host, none)", () => {
    const summary = toNetworkSummary({ Id: "n2", Name: "none", Driver: "null", Scope: "local", Created: "2025-11-27T18:58:12Z", IPAM: null });
    expect(summary.subnets).toEqual([]);
    expect(summary.internal).toBe(false);
  });
});
