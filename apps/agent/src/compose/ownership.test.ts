import { OWNER_LABELS } from "@wharf/agent-protocol";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

import { declaredServices, ownedBy, renderOwnerOverride } from "./ownership";

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

describe("declaredServices", () => {
  it("reads the service names of every file and YAML document", () => {
    const files = [{ content: "services:\n  web:\n    image: a\n---\nservices:\n  _db:\n    image: b\n" }, { content: "x-common: &c\n  image: a\nservices:\n  web:\n    ports: []\n  api.v2: *c\n" }];
    expect(declaredServices(files)).toEqual(["web", "_db", "api.v2"]);
  });

  it("leaves it to compose when only compose knows them", () => {
    expect(declaredServices([{ content: "include:\n  - other.yaml\nservices:\n  web:\n    image: a\n" }])).toBeNull();
    expect(declaredServices([{ content: "services:\n  <<: *all\n" }])).toBeNull();
    expect(declaredServices([{ content: "services:\n  web: [unclosed\n" }])).toBeNull();
  });
});
