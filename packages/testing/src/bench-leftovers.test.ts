import { describe, expect, it } from "vitest";

import { leftovers, type Snapshot } from "./bench-leftovers";

const snapshot = (items: Partial<Record<Exclude<keyof Snapshot, "uids">, string[]>>): Snapshot => ({
  agents: new Set(items.agents),
  sshds: new Set(items.sshds),
  namespaces: new Set(items.namespaces),
  containers: new Set(items.containers),
  uids: new Set(),
});

describe("what the bench left behind", () => {
  it("lists only what was not there before it started, each with its kind", () => {
    const before = snapshot({ agents: ["/home/wharf-h1/.wharf/bin/wharf-agent serve"], namespaces: ["wharf-h1", "wharf-h2"] });
    const after = snapshot({
      agents: ["/home/wharf-h1/.wharf/bin/wharf-agent serve", "/home/wharf-h1/.wharf-bench-3/bin/wharf-agent serve"],
      sshds: ["77 /usr/sbin/sshd -f /tmp/wharf-sandbox/loopback/sshd_config"],
      namespaces: ["wharf-h1", "wharf-h2"],
      containers: ["h1/bench-raw-web-1"],
    });
    expect(leftovers(before, after)).toEqual([
      "agent process: /home/wharf-h1/.wharf-bench-3/bin/wharf-agent serve",
      "loopback sshd: 77 /usr/sbin/sshd -f /tmp/wharf-sandbox/loopback/sshd_config",
      "container: h1/bench-raw-web-1",
    ]);
  });

  it("finds nothing when the bench stopped all it started", () => {
    const same = snapshot({ agents: ["/home/wharf-h1/.wharf/bin/wharf-agent serve"], namespaces: ["wharf-h1"] });
    expect(leftovers(same, snapshot({ agents: ["/home/wharf-h1/.wharf/bin/wharf-agent serve"], namespaces: ["wharf-h1"] }))).toEqual([]);
  });
});
