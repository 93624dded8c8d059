import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import http from "node:http";
import https from "node:https";
import { BlockList, isIP, type LookupFunction } from "node:net";

/**
 * Posts to addresses users type in (webhook targets, chat response URLs).
 * The address is checked after resolution, inside the socket's own lookup,
 * so the connection goes to the address that was checked (a name that
 * resolves to a public address when saved and to 127.0.0.1 when sent, is
 * still refused). Redirects are not followed.
 */

const PRIVATE = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  PRIVATE.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  PRIVATE.addSubnet(net, prefix, "ipv6");
}

/** Loopback, private, link-local, shared, multicast or reserved: not on the public internet. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return PRIVATE.check(address, "ipv4");
  if (family !== 6) return true;
  // An IPv4 address written as IPv6 (::ffff:127.0.0.1) is checked as IPv4.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return PRIVATE.check(mapped[1], "ipv4");
  return PRIVATE.check(address, "ipv6");
}

export class PrivateAddressError extends Error {
  override readonly name = "PrivateAddressError";
}

function checkedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, "", 0);
      const refused = allowPrivate ? undefined : addresses.find((entry) => isPrivateAddress(entry.address));
      const chosen = addresses[0];
      if (refused) {
        return callback(new PrivateAddressError(`${hostname} resolves to ${refused.address}, a private or loopback address; the team's settings do not allow those.`), "", 0);
      }
      if (!chosen) return callback(new Error(`${hostname} has no address.`), "", 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, chosen.address, chosen.family);
    });
  };
}

export interface OutboundResponse {
  status: number;
  /** At most `maxBodyBytes` of the answer. */
  body: string;
}

export async function postOutbound(
  url: string,
  body: string,
  { headers, allowPrivate, timeoutMs = 10_000, maxBodyBytes = 2_048 }: { headers: Record<string, string>; allowPrivate: boolean; timeoutMs?: number; maxBodyBytes?: number },
): Promise<OutboundResponse> {
  const target = new URL(url);
  if (target.protocol !== "http:" && target.protocol !== "https:") throw new Error("Only http and https URLs are supported.");
  // A literal address skips the lookup: check it here.
  const literal = target.hostname.replace(/^\[|\]$/g, "");
  if (isIP(literal) && !allowPrivate && isPrivateAddress(literal)) {
    throw new PrivateAddressError(`${literal} is a private or loopback address; the team's settings do not allow those.`);
  }
  const client = target.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const request = client.request(
      target,
      {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "Wharf-Webhooks", ...headers, "content-length": Buffer.byteLength(body) },
        lookup: checkedLookup(allowPrivate),
        timeout: timeoutMs,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          if (size < maxBodyBytes) chunks.push(chunk.subarray(0, maxBodyBytes - size));
          size += chunk.length;
        });
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        response.on("error", reject);
      },
    );
    request.on("timeout", () => request.destroy(new Error(`No answer within ${timeoutMs / 1000} s.`)));
    request.on("error", reject);
    request.end(body);
  });
}
