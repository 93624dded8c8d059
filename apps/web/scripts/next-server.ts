/**
 * The Next.js server, run inside the launcher's process (serve.ts): `next
 * start`, or `next dev` with --dev, plus one rule. X-Forwarded-For is replaced
 * by the one client address Wharf believes (WHARF_TRUSTED_PROXIES): Next.js
 * keeps a header the client sent and drops the socket address, so a client
 * could otherwise pick the address the sign-in limits count.
 */
import { createServer } from "node:http";

import next from "next";

import { resolveClientAddress } from "../src/server/client-ip";

export async function startNextServer({ appDir, dev, port, trustedProxies }: { appDir: string; dev: boolean; port: number; trustedProxies: number }): Promise<void> {
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
