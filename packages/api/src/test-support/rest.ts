import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

import type { WharfDeps } from "../deps";
import { openApiDocument } from "../openapi";
import { handleJobOutputStream, handleRestRequest, handleStackLogsStream } from "../rest";
import { createApiToken } from "../services/api-tokens";

/**
 * Hosts and stacks as database rows only (no agent behind them): `hosts`
 * hosts in the team's first environment (or `environmentId`), each the target
 * of `stacksPerHost` stacks with one revision. For checks that never reach a
 * host, and for the status bench, whose list reads only the database.
 */
export async function seedRows(deps: WharfDeps, teamId: string, options: { hosts: number; stacksPerHost: number; prefix: string; environmentId?: string }) {
  const environmentId = options.environmentId ?? (await deps.db.environment.findFirstOrThrow({ where: { teamId }, orderBy: { createdAt: "asc" } })).id;
  const credential = await deps.db.sshCredential.create({
    data: { teamId, name: `${options.prefix}-key`, kind: "GENERATED", publicKey: "ssh-ed25519 AAAA", fingerprint: "SHA256:none", privateKeyEnc: Buffer.alloc(0) },
  });
  const hostIds: string[] = [];
  const stackIds: string[] = [];
  for (let h = 0; h < options.hosts; h++) {
    const host = await deps.db.host.create({
      data: {
        teamId,
        name: `${options.prefix}-host-${h}`,
        // Loopback port 1: nothing listens, so a call that reaches for the host fails at once.
        address: "127.0.0.1",
        port: 1,
        username: "wharf",
        credentialId: credential.id,
        environmentId,
        hostKeyAlgorithm: "ssh-ed25519",
        hostKeyFingerprint: "SHA256:none",
        hostKey: "AAAA",
        status: "ONLINE",
      },
    });
    hostIds.push(host.id);
    for (let s = 0; s < options.stacksPerHost; s++) {
      const stack = await deps.db.stack.create({
        data: {
          teamId,
          name: `${options.prefix}-${h}-${s}`,
          targets: { create: { hostId: host.id } },
          revisions: { create: { number: 1, message: "first", authorLabel: "seed", files: [], env: [], secretNames: [], limits: {} } },
        },
      });
      stackIds.push(stack.id);
    }
  }
  return { environmentId, hostIds, stackIds };
}

/** A token for `userId` in `teamId`, created as the Tokens page does. */
export async function tokenFor(deps: WharfDeps, teamId: string, userId: string, input: { name: string; scope: "READ" | "DEPLOY" | "ADMIN"; environmentIds?: string[]; expiresInDays?: number }) {
  const { token, secret } = await createApiToken(deps, teamId, { id: userId, label: "test" }, { environmentIds: [], ...input });
  return { id: token.id, secret };
}

async function toRequest(req: IncomingMessage, origin: string, signal: AbortSignal): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
  const body = chunks.length > 0 ? Buffer.concat(chunks) : null;
  return new Request(`${origin}${req.url ?? "/"}`, { method: req.method ?? "GET", headers, body, signal });
}

/**
 * The REST routes as the web app mounts them (the same handlers, the same
 * paths) on a plain Node server: for tests, without a Next.js build.
 */
export async function serveRest(deps: WharfDeps): Promise<{ url: string; server: Server; close: () => Promise<void> }> {
  let origin = "";
  const server = createServer((req, res) => {
    const controller = new AbortController();
    res.on("close", () => controller.abort());
    void (async () => {
      const request = await toRequest(req, origin, controller.signal);
      const path = new URL(request.url).pathname;
      const output = /^\/api\/v1\/jobs\/([^/]+)\/output$/.exec(path);
      const logs = /^\/api\/v1\/stacks\/([^/]+)\/logs$/.exec(path);
      const response =
        path === "/api/openapi.json"
          ? Response.json(await openApiDocument(origin))
          : output?.[1]
            ? await handleJobOutputStream(deps, request, "127.0.0.1", output[1])
            : logs?.[1]
              ? await handleStackLogsStream(deps, request, "127.0.0.1", logs[1])
              : await handleRestRequest(deps, request, "127.0.0.1");
      res.writeHead(response.status, Object.fromEntries(response.headers));
      if (response.body) for await (const chunk of response.body) res.write(chunk);
      res.end();
    })().catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: origin,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
