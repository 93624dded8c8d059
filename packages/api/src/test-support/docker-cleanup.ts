import { dockerCli, type SandboxHost } from "@wharf/testing/sandbox";

/** Runs each docker command on the host, ignoring failures: what a test cleans up may already be gone. */
export function dockerQuietly(host: SandboxHost, ...commands: string[][]): void {
  for (const args of commands) {
    try {
      dockerCli(host, args);
    } catch {
      // Already gone.
    }
  }
}
