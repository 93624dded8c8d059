/** Thrown for failures the CLI reports as one line and exit status 1. */
export class CliError extends Error {}
