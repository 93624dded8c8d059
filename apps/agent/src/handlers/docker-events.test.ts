import { dockerEvent } from "@wharf/agent-protocol";
import { describe, expect, it } from "vitest";

import { parseDockerEvent } from "./docker-events";

describe("parseDockerEvent", () => {
  it("maps one line of Docker's event stream", () => {
    // timeNano exceeds 2^53, as it does in Docker's real output.
    const line =
      '{"status":"create","id":"abc","from":"busybox","Type":"container","Action":"create",' +
      '"Actor":{"ID":"abc","Attributes":{"image":"busybox","name":"web"}},"scope":"local",' +
      '"time":1700000000,"timeNano":1700000000123456789}';
    expect(dockerEvent.parse(parseDockerEvent(line))).toEqual({
      type: "container",
      action: "create",
      actorId: "abc",
      attributes: { image: "busybox", name: "web" },
      time: 1_700_000_000_123,
    });
  });

  it("falls back to whole seconds and skips unreadable lines", () => {
    const line = JSON.stringify({ Type: "network", Action: "connect", Actor: { ID: "n1" }, time: 1_700_000_000 });
    expect(parseDockerEvent(line)).toMatchObject({ time: 1_700_000_000_000, attributes: {} });
    expect(parseDockerEvent("{not json")).toBeNull();
    expect(parseDockerEvent('{"Type":"container"}')).toBeNull();
  });
});
