import { createServer } from "node:net";

/** A TCP port nothing listens on right now at `address` (the caller binds it next). */
export async function freePort(address = "127.0.0.1"): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  const bound = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (bound === null || typeof bound === "string") throw new Error("no TCP port was assigned");
  return bound.port;
}
