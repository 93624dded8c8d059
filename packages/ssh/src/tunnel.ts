import { Agent, type ClientRequestArgs } from "node:http";
import type { Duplex } from "node:stream";

import type { SshPool, SshTarget } from "./pool";

export interface TunnelAgentOptions {
  /** Close a kept-alive forwarded stream after this long unused, so the SSH connection can idle out. */
  freeSocketTimeoutMs?: number;
  maxSockets?: number;
}

/**
 * An http.Agent whose sockets are SSH-forwarded streams to a unix socket on
 * the host, so any Node HTTP client (dockerode included) can talk to e.g.
 * the remote /var/run/docker.sock. keepAlive reuses a forwarded stream for
 * the next request, so warm requests skip opening a channel.
 */
export function createTunnelAgent(
  pool: SshPool,
  target: SshTarget,
  socketPath: string,
  options: TunnelAgentOptions = {},
): Agent {
  return new TunnelAgent(pool, target, socketPath, options);
}

class TunnelAgent extends Agent {
  constructor(
    private readonly pool: SshPool,
    private readonly target: SshTarget,
    private readonly socketPath: string,
    options: TunnelAgentOptions,
  ) {
    super({
      keepAlive: true,
      timeout: options.freeSocketTimeoutMs ?? 30_000,
      ...(options.maxSockets === undefined ? {} : { maxSockets: options.maxSockets }),
    });
  }

  // Answers through the callback, because the forwarded stream opens asynchronously.
  override createConnection(
    _options: ClientRequestArgs,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): undefined {
    if (!callback) throw new Error("The tunnel agent needs Node's http.Agent to pass a callback.");
    // Node ignores the stream argument when an error is passed.
    const done = callback as (err: Error | null, stream?: Duplex) => void;
    this.pool.openStreamLocal(this.target, this.socketPath).then(
      (stream) => done(null, asSocket(stream)),
      // Node turns this into the request's 'error' event (an SshError).
      (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
    );
    return undefined;
  }
}

/**
 * http.Agent and ClientRequest call net.Socket methods on their sockets.
 * setTimeout is real (an inactivity timer on incoming data that emits
 * 'timeout'), because the agent relies on it to drop idle kept-alive
 * sockets; the TCP tuning calls mean nothing on an SSH channel.
 */
function asSocket(stream: Duplex): Duplex {
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = socket.timeout > 0 ? setTimeout(() => stream.emit("timeout"), socket.timeout) : undefined;
  };
  const socket = Object.assign(stream, {
    timeout: 0,
    setTimeout(ms: number, onTimeout?: () => void): Duplex {
      socket.timeout = ms;
      // As net.Socket: a callback with 0 is removed (http does that when freeing a socket).
      if (onTimeout && ms === 0) stream.removeListener("timeout", onTimeout);
      else if (onTimeout) stream.once("timeout", onTimeout);
      arm();
      return stream;
    },
    setKeepAlive: () => stream,
    setNoDelay: () => stream,
    ref: () => stream,
    unref: () => stream,
    destroySoon: () => stream.destroy(),
  });
  stream.on("data", arm);
  // ssh2 channels stay half-open after the far end's EOF (an agent killed, a socket closed), so
  // http.Agent would keep them as free sockets and send the next request into a dead stream.
  // HTTP/1.1 has no use for a half-open connection: close it, as net.Socket does by default.
  stream.on("end", () => stream.destroy());
  stream.on("close", () => clearTimeout(timer));
  return socket;
}
