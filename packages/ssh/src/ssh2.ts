import { createRequire } from "node:module";

import type * as Ssh2 from "ssh2";

const require = createRequire(import.meta.url);
let loaded: typeof Ssh2 | undefined;

/**
 * ssh2, loaded on the first SSH use rather than when the server starts: it
 * costs about 14 MiB of memory once loaded (its Poly1305 WASM heap among it),
 * and a server may run for hours before it connects to any host.
 */
export function ssh2(): typeof Ssh2 {
  loaded ??= require("ssh2") as typeof Ssh2;
  return loaded;
}
