import { describe, expect, it } from "vitest";

import { BuildProgress } from "./build-progress";

// BuildKit's plain progress as compose 2.26 prints it for a stack with one built service.
const CACHED_THEN_FAILED = `#0 building with "default" instance using docker driver

#1 [app internal] load build definition from Dockerfile
#1 transferring dockerfile: 98B done
#1 DONE 0.0s

#2 [app internal] load metadata for docker.io/wharf-test/busybox:latest
#2 DONE 0.0s

#3 [app 1/3] FROM docker.io/wharf-test/busybox:latest
#3 DONE 0.0s

#4 [app 2/3] COPY hello.txt /hello.txt
#4 CACHED

#5 [app 3/3] RUN exit 3
#5 0.231 sh: boom
#5 ERROR: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3
------
 > [app 3/3] RUN exit 3:
0.231 sh: boom
------
failed to solve: process "/bin/sh -c exit 3" did not complete successfully: exit code: 3`;

function read(output: string): BuildProgress {
  const progress = new BuildProgress();
  for (const line of output.split("\n")) progress.observe(line);
  return progress;
}

describe("BuildProgress", () => {
  it("names the failing step, its instruction and BuildKit's error", () => {
    expect(read(CACHED_THEN_FAILED).failure()).toEqual({ step: "app 3/3", instruction: "RUN exit 3", error: 'process "/bin/sh -c exit 3" did not complete successfully: exit code: 3' });
  });

  it("counts the stage's steps and which came from cache, leaving out BuildKit's internal ones", () => {
    const progress = read(CACHED_THEN_FAILED);
    expect(progress.countedSteps().map((step) => [step.label, step.cached])).toEqual([
      ["app 1/3", false],
      ["app 2/3", true],
      ["app 3/3", false],
    ]);
    expect(progress.summary()).toBe("Build steps: 3, 1 of them from cache.");
  });

  it("reports no failure for a build that succeeded, with the image it wrote, and nothing for output that is not BuildKit's", () => {
    const id = `sha256:${"ab".repeat(32)}`;
    const ok = read(`${CACHED_THEN_FAILED.split("\n").slice(0, 14).join("\n")}\n#6 exporting to image\n#6 exporting layers done\n#6 writing image ${id} done\n#6 naming to docker.io/wharf-folder/app:latest done\n#6 DONE 0.1s`);
    expect(ok.failure()).toBeNull();
    expect(ok.builtImages()).toEqual([{ id, names: ["docker.io/wharf-folder/app:latest"] }]);
    const legacy = read("Step 1/2 : FROM busybox\n ---> Using cache\nSuccessfully built 0123456789ab");
    expect(legacy.summary()).toBeNull();
    expect(legacy.failure()).toBeNull();
  });
});
