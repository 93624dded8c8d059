import { describe, expect, it } from "vitest";

import { lockProject } from "./project-lock";

describe("lockProject", () => {
  it("hands the project to waiters in arrival order", async () => {
    const order: string[] = [];
    const first = await lockProject("p-order", "compose up", { waitMs: 5_000 });
    const second = lockProject("p-order", "compose stop", { waitMs: 5_000 }).then((release) => {
      order.push("stop");
      return release;
    });
    const third = lockProject("p-order", "compose down", { waitMs: 5_000 }).then((release) => {
      order.push("down");
      release();
    });
    first();
    (await second)();
    await third;
    expect(order).toEqual(["stop", "down"]);
    // Free again: taken at once.
    (await lockProject("p-order", "compose up", { waitMs: 0 }))();
  });

  it("fails with CONFLICT naming the holder and since when once the wait is over, and leaves the queue", async () => {
    const release = await lockProject("p-busy", "compose stop", { waitMs: 0 });
    await expect(lockProject("p-busy", "compose up", { waitMs: 20 })).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/^stack p-busy is busy: compose stop \(started \d{4}-\d\d-\d\dT[\d:.]+Z\) is still running on this host; waited 0 s/) as string,
    });
    const controller = new AbortController();
    const aborted = lockProject("p-busy", "compose up", { waitMs: 60_000, signal: controller.signal });
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: "CONFLICT" });
    release();
    // Nobody who gave up was handed the project.
    (await lockProject("p-busy", "compose up", { waitMs: 0 }))();
  });

  it("releases once, however often release is called", async () => {
    const release = await lockProject("p-once", "compose up", { waitMs: 0 });
    const next = lockProject("p-once", "compose stop", { waitMs: 5_000 });
    release();
    const releaseNext = await next;
    release();
    await expect(lockProject("p-once", "compose down", { waitMs: 0 })).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringContaining("compose stop") as string });
    releaseNext();
  });
});
