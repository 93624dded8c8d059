import { OWNER_LABELS } from "@wharf/agent-protocol";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

import { ownedBy, renderOwnerOverride } from "./ownership";

const owner = { installation: "0b0e9a6e-5a53-4c4f-9d5c-111111111111", stack: "stack-a", adoptUnlabelled: false };
const labels = (installation: string, stack: string) => ({ [OWNER_LABELS.installation]: installation, [OWNER_LABELS.stack]: stack, "com.docker.compose.project": "shop" });
const unlabelled = { "com.docker.compose.project": "shop" };

describe("ownedBy", () => {
  it("is the owner's only with both of its labels", () => {
    expect(ownedBy(labels(owner.installation, "stack-a"), owner)).toBe(true);
    expect(ownedBy(labels(owner.installation, "stack-b"), owner)).toBe(false);
    expect(ownedBy(labels("another-installation", "stack-a"), owner)).toBe(false);
    expect(ownedBy({ [OWNER_LABELS.stack]: "stack-a" }, owner)).toBe(false);
  });

  it("adopts containers without Wharf labels only when told to (a deploy from before the labels)", () => {
    expect(ownedBy(unlabelled, owner)).toBe(false);
    expect(ownedBy(unlabelled, { ...owner, adoptUnlabelled: true })).toBe(true);
    expect(ownedBy(null, { ...owner, adoptUnlabelled: true })).toBe(true);
  });

  it("without an owner, only unlabelled containers are the caller's", () => {
    expect(ownedBy(unlabelled, undefined)).toBe(true);
    expect(ownedBy(labels(owner.installation, "stack-a"), undefined)).toBe(false);
  });
});

describe("renderOwnerOverride", () => {
  it("labels every service, names with dots and a leading _ included", () => {
    expect(parse(renderOwnerOverride(["web", "_db", "api.v2"], owner))).toEqual({
      services: Object.fromEntries(["web", "_db", "api.v2"].map((service) => [service, { labels: { [OWNER_LABELS.installation]: owner.installation, [OWNER_LABELS.stack]: "stack-a" } }])),
    });
  });
});
