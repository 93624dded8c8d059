import { describe, expect, it } from "vitest";

import { parseComposeVersion } from "./compose";

describe("parseComposeVersion", () => {
  it("reads v2 and v1 short versions", () => {
    expect(parseComposeVersion("2.26.1\n")).toBe("2.26.1");
    expect(parseComposeVersion("v2.29.7\n")).toBe("2.29.7");
    expect(parseComposeVersion("2.26.1-4\n")).toBe("2.26.1-4");
    expect(parseComposeVersion("1.29.2\n")).toBe("1.29.2");
  });

  it("rejects output that is not a version", () => {
    expect(parseComposeVersion("")).toBeNull();
    expect(parseComposeVersion("docker: 'compose' is not a docker command.\n")).toBeNull();
    expect(parseComposeVersion("Docker Compose version v2.26.1\n")).toBeNull();
  });
});
