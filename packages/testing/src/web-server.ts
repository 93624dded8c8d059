import { type ChildProcess, spawn } from "node:child_process";

import { childEnv, REPO_ROOT } from "./env";

export interface WebServer {
  url: string;
  process: ChildProcess;
  /** SIGTERM, then waits for the exit (the server's own shutdown). */
  stop(): Promise<void>;
}

/** The production server as the README starts it (`node apps/web/dist/server.mjs`), once /api/health answers. */
export async function startWebServer({ databaseUrl, port, dataDir }: { databaseUrl: string; port: number; dataDir: string }): Promise<WebServer> {
  const url = `http://127.0.0.1:${port}`;
  const server = spawn(process.execPath, ["apps/web/dist/server.mjs"], {
    cwd: REPO_ROOT,
    env: childEnv({ DATABASE_URL: databaseUrl, PORT: String(port), WHARF_PUBLIC_URL: url, NEXTAUTH_URL: url, WHARF_DATA_DIR: dataDir }),
    stdio: "ignore",
  });
  const exited = new Promise<void>((resolve) => server.once("exit", () => resolve()));
  const stop = async (): Promise<void> => {
    if (server.exitCode === null && server.signalCode === null) server.kill("SIGTERM");
    await exited;
  };
  const deadline = Date.now() + 120_000;
  while (!(await fetch(`${url}/api/health`).then((response) => response.ok, () => false))) {
    if (Date.now() > deadline || server.exitCode !== null) {
      await stop();
      throw new Error(`the web server at ${url} did not become healthy`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return { url, process: server, stop };
}
