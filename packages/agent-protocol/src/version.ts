/**
 * Bumped on any incompatible change to a contract. The control plane sends it
 * on every request; an agent speaking another version answers 426 and is upgraded.
 */
export const PROTOCOL_VERSION = 5;
export const PROTOCOL_HEADER = "x-wharf-protocol";
/** HTTP paths served by the agent on its unix socket. */
export const CALL_PATH = "/v1/call";
export const STREAM_PATH = "/v1/stream";
