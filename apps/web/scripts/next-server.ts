/**
 * The Next.js server the launcher (serve.ts) starts: `next start`, or `next dev`
 * with --dev, plus one rule. X-Forwarded-For is replaced by the one client
 * address Wharf believes (WHARF_TRUSTED_PROXIES): Next.js keeps a header the
 * client sent and drops the socket address, so a client could otherwise pick
 * the address the sign-in limits count.
 */
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

import next from "next";

import { env } from "../src/env";
import { resolveClientAddress } from "../src/server/client-ip";

const appDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dev = process.argv.includes("--dev");

const app = next({ dev, dir: appDir, port: env.port });
const handle = app.getRequestHandler();
await app.prepare();

createServer((request, response) => {
  const client = resolveClientAddress(request.headers["x-forwarded-for"], request.socket.remoteAddress, env.trustedProxies);
  if (client) request.headers["x-forwarded-for"] = client;
  else delete request.headers["x-forwarded-for"];
  void handle(request, response);
}).listen(env.port, () => console.log(`[wharf] Next.js ${dev ? "dev " : ""}server listening on port ${env.port}`));
