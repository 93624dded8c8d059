/**
 * The client address the server believes. Each proxy appends the address it
 * received the request from to X-Forwarded-For, so only the last
 * `trustedProxies` entries (plus the socket address) were written by someone
 * we trust: the entry just before them is the client. Anything further left
 * was sent by the client and is ignored.
 */
export function resolveClientAddress(forwardedFor: string | string[] | undefined, socketAddress: string | undefined, trustedProxies: number): string | null {
  const claimed = [forwardedFor ?? []]
    .flat()
    .flatMap((value) => value.split(","))
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  const chain = [...claimed, ...(socketAddress ? [socketAddress] : [])];
  // Fewer hops than configured proxies: the farthest one there is.
  const client = chain[Math.max(0, chain.length - 1 - trustedProxies)];
  return client ? client.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "") : null;
}

/**
 * The client address for a request handled by Wharf's server (scripts/next-server.ts),
 * which replaces X-Forwarded-For with the one address resolveClientAddress chose.
 */
export function clientIp(header: (name: string) => string | null | undefined): string | null {
  return header("x-forwarded-for")?.split(",")[0]?.trim() || null;
}
