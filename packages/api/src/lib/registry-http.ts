/**
 * The distribution v2 API as a client sees it: the /v2/ auth challenge, then
 * HTTP basic or a bearer token from the realm it names (Docker Hub's flow).
 * node:http(s) rather than fetch, so a registry's own CA can be trusted per
 * request without touching the process's trust store.
 */
import http from "node:http";
import https from "node:https";

import { WharfError } from "../errors";

export interface RegistryEndpoint {
  /** The name the user gave it, for messages. */
  name: string;
  /** http(s)://host[:port] of the API. */
  baseUrl: string;
  username?: string | undefined;
  password?: string | undefined;
  caCert?: string | undefined;
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const TIMEOUT_MS = 10_000;

function get(url: URL, headers: Record<string, string>, caCert: string | undefined): Promise<Answer> {
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.get(url, { headers, timeout: TIMEOUT_MS, ...(caCert && url.protocol === "https:" ? { ca: caCert } : {}) }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on("data", (chunk: Buffer) => {
        // A challenge or a token is small: stop reading anything big.
        size += chunk.length;
        if (size <= 1_000_000) chunks.push(chunk);
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString("utf8") }));
      response.on("error", reject);
    });
    request.on("timeout", () => request.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000} s`)));
    request.on("error", reject);
  });
}

/** `Bearer realm="...",service="...",scope="..."` → its parameters. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(" ");
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const match of header.slice(space + 1).matchAll(/([A-Za-z_]+)="([^"]*)"/g)) params[match[1]!.toLowerCase()] = match[2]!;
  return { scheme, params };
}

function basic(endpoint: RegistryEndpoint): string | null {
  if (!endpoint.username || !endpoint.password) return null;
  return `Basic ${Buffer.from(`${endpoint.username}:${endpoint.password}`).toString("base64")}`;
}

async function reach(endpoint: RegistryEndpoint, url: URL, headers: Record<string, string>): Promise<Answer> {
  try {
    return await get(url, headers, endpoint.caCert);
  } catch (error) {
    const message = (error as Error).message;
    const tls = /certificate|self[- ]signed|CERT_|SSL/i.test(message);
    throw new WharfError(
      "PRECONDITION_FAILED",
      tls
        ? `The registry ${endpoint.name} (${url.host}) presented a certificate Wharf does not trust (${message}): add its CA certificate to the registry's settings.`
        : `The registry ${endpoint.name} could not be reached at ${url.origin} (${message}): check its address and that this server can reach it.`,
      "REGISTRY_UNREACHABLE",
    );
  }
}

function refused(endpoint: RegistryEndpoint): WharfError {
  return new WharfError(
    "PRECONDITION_FAILED",
    endpoint.username
      ? `The registry ${endpoint.name} refused the user ${endpoint.username}: check the user name and the password or access token, then save them again.`
      : `The registry ${endpoint.name} needs credentials: add a user name and password or access token.`,
    "REGISTRY_UNAUTHORIZED",
  );
}

/**
 * Logs in the way an engine does, for the given scope (none: just /v2/).
 * Resolves with the Authorization header that worked (null: anonymous
 * access), so a caller can go on reading the API.
 */
export async function registryLogin(endpoint: RegistryEndpoint, scope?: string): Promise<string | null> {
  const base = new URL("/v2/", endpoint.baseUrl);
  const first = await reach(endpoint, base, {});
  if (first.status === 200) return null;
  if (first.status !== 401) {
    throw new WharfError("PRECONDITION_FAILED", `${base.href} answered HTTP ${first.status}: is ${endpoint.name}'s address a container registry (distribution v2 API)?`, "REGISTRY_NOT_V2");
  }
  const challenge = parseChallenge(String(first.headers["www-authenticate"] ?? ""));
  let authorization: string;
  if (challenge.scheme === "basic") {
    const header = basic(endpoint);
    if (header === null) throw refused(endpoint);
    authorization = header;
  } else if (challenge.scheme === "bearer" && challenge.params.realm) {
    const realm = new URL(challenge.params.realm);
    if (challenge.params.service) realm.searchParams.set("service", challenge.params.service);
    if (scope) realm.searchParams.set("scope", scope);
    if (endpoint.username) realm.searchParams.set("account", endpoint.username);
    const header = basic(endpoint);
    const answer = await reach(endpoint, realm, header ? { authorization: header } : {});
    if (answer.status === 401 || answer.status === 403) throw refused(endpoint);
    if (answer.status !== 200) throw new WharfError("PRECONDITION_FAILED", `The token service of ${endpoint.name} (${realm.origin}) answered HTTP ${answer.status}: try again later.`, "REGISTRY_TOKEN_FAILED");
    const token = (() => {
      try {
        const json = JSON.parse(answer.body) as { token?: unknown; access_token?: unknown };
        return typeof json.token === "string" ? json.token : typeof json.access_token === "string" ? json.access_token : null;
      } catch {
        return null;
      }
    })();
    if (!token) throw new WharfError("PRECONDITION_FAILED", `The token service of ${endpoint.name} (${realm.origin}) gave no token.`, "REGISTRY_TOKEN_FAILED");
    authorization = `Bearer ${token}`;
  } else {
    throw new WharfError("PRECONDITION_FAILED", `The registry ${endpoint.name} asks for an authentication scheme Wharf does not speak (${challenge.scheme || "none"}).`, "REGISTRY_NOT_V2");
  }
  const second = await reach(endpoint, base, { authorization });
  if (second.status === 401 || second.status === 403) throw refused(endpoint);
  if (second.status !== 200) throw new WharfError("PRECONDITION_FAILED", `${base.href} answered HTTP ${second.status} after logging in.`, "REGISTRY_NOT_V2");
  return authorization;
}
