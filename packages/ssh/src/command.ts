import { quote } from "shell-quote";

import { SshError } from "./errors";

/**
 * Turns an argv array into the command string of an SSH exec request. sshd
 * always runs that string through the user's login shell (`$SHELL -c`), so
 * every argument is quoted to arrive as one literal word; user input must
 * never be concatenated into a command. Assumes a POSIX-compatible login
 * shell (sh, bash, dash, ash, zsh), which is what Docker hosts have.
 */
export function toRemoteCommand(argv: readonly string[]): string {
  if (argv.length === 0) {
    throw new SshError("COMMAND_FAILED", "No command was given to run on the host.");
  }
  argv.forEach((arg, index) => {
    // A shell word cannot hold NUL: it would silently cut the argument short.
    if (arg.includes("\0")) {
      throw new SshError(
        "COMMAND_FAILED",
        `Argument ${index + 1} of the command contains a NUL byte, which cannot be passed to a remote command.`,
      );
    }
  });
  return quote([...argv]);
}
