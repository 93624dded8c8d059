import { errorMessage, errorReason } from "~/lib/errors";

export interface Failure {
  title: string;
  message: string;
  /** A changed host key may mean interception: shown as a warning, not a plain error. */
  warning: boolean;
}

const FAILURE_TITLES: Record<string, string> = {
  CONNECTION_REFUSED: "Connection refused",
  UNREACHABLE: "The host cannot be reached",
  DNS: "The address does not resolve",
  TIMEOUT: "The connection timed out",
  DISCONNECTED: "The host closed the connection",
  AUTH_FAILED: "SSH sign-in failed",
  INVALID_KEY: "The key cannot be used",
  HOST_KEY_MISMATCH: "The host key changed",
  AGENT_INSTALL_FAILED: "The agent could not be installed",
  UNSUPPORTED_PLATFORM: "This host's platform is not supported",
  NO_HOME: "The user has no home directory",
};

/** The failure of a host form, titled by its reason; `fallback` titles the others. */
export function describeFailure(error: unknown, fallback: string): Failure {
  const reason = errorReason(error) ?? "";
  const title = FAILURE_TITLES[reason] ?? (reason.startsWith("DOCKER_") ? "Docker cannot be used on this host" : fallback);
  return { title, message: errorMessage(error), warning: reason === "HOST_KEY_MISMATCH" };
}

/** "ssh-ed25519" → "ED25519", "ecdsa-sha2-nistp256" → "ECDSA", "rsa-sha2-512" → "RSA". */
export function keyTypeLabel(algorithm: string): string {
  if (algorithm.includes("ed25519")) return "ED25519";
  if (algorithm.includes("ecdsa")) return "ECDSA";
  if (algorithm.includes("rsa")) return "RSA";
  return algorithm.toUpperCase();
}
