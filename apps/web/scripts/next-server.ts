/**
 * The Next.js server, run inside the launcher's process (serve.ts): `next
 * start`, or `next dev` with --dev, plus one rule. X-Forwarded-For is replaced
 * by the one client address Wharf believes (WHARF_TRUSTED_PROXIES): Next.js
 * keeps a header the client sent and drops the socket address, so a client
 * could otherwise pick the address the sign-in limits count.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";

import next from "next";

import { applyBuiltNextConfig } from "../src/env";
import { resolveClientAddress } from "../src/server/client-ip";

/** The configuration `next build` resolved and wrote beside the build. */
function builtConfig(appDir: string): unknown {
  const file = path.join(appDir, ".next", "required-server-files.json");
  return (JSON.parse(readFileSync(file, "utf8")) as { config: unknown }).config;
}

export async function startNextServer({ appDir, dev, port, trustedProxies }: { appDir: string; dev: boolean; port: number; trustedProxies: number }): Promise<void> {
  // In production, Next.js would otherwise compile next.config.ts at every start with its SWC
  // binary, which then stays mapped: about 28 MiB of RSS, and its heap, for the server's life.
  if (!dev) applyBuiltNextConfig(builtConfig(appDir));
  const app = next({ dev, dir: appDir, port });
  const handle = app.getRequestHandler();
  await app.prepare();
  const server = createServer((request, response) => {
    const client = resolveClientAddress(request.headers["x-forwarded-for"], request.socket.remoteAddress, trustedProxies);
    if (client) request.headers["x-forwarded-for"] = client;
    else delete request.headers["x-forwarded-for"];
    void handle(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, () => resolve());
  });
  console.log(`[wharf] Next.js ${dev ? "dev " : ""}server listening on port ${port}`);
}
