/** A control plane reduced to its job runner, for the restart test to kill with SIGKILL. */
import { startDeploymentRunner } from "@wharf/api";
import { createTestDeps } from "@wharf/testing/api";

const deps = createTestDeps();
startDeploymentRunner(deps, { pollMs: 200 });
process.stdout.write("runner ready\n");
// The runner's timers are unref'd: keep the process alive until it is killed.
setInterval(() => undefined, 60_000);
