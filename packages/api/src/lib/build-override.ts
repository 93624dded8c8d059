import { envKey } from "@wharf/agent-protocol";
import { parseAllDocuments, stringify } from "yaml";
import { z } from "zod";

/** The generated file that gives a build its target stage and build args, passed after the stack's files. */
export const BUILD_OVERRIDE_PATH = "wharf.build.yaml";

export const buildTarget = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, "a target stage is a Dockerfile stage name: letters, digits, ., _ and -");
export const buildArgs = z.record(envKey, z.string().max(4096).refine((value) => !value.includes("\0"), "a build arg cannot contain a NUL byte"));

/**
 * Compose takes a target stage only from the files, and build args from the
 * command line only as text compose would interpolate: both go in a generated
 * file instead, for the services being built (each must have a build section,
 * or compose would read the file as a build with no context).
 */
export function renderBuildOverride(services: string[], options: { target?: string | undefined; args?: Record<string, string> | undefined }): string | null {
  const build = { ...(options.target === undefined ? {} : { target: options.target }), ...(options.args === undefined || Object.keys(options.args).length === 0 ? {} : { args: options.args }) };
  if (services.length === 0 || Object.keys(build).length === 0) return null;
  // $ in a value stays literal: compose interpolates these files too.
  const escaped = JSON.parse(JSON.stringify(build).replaceAll("$", "$$$$")) as typeof build;
  return stringify({ services: Object.fromEntries(services.map((service) => [service, { build: escaped }])) });
}

/** The services of the stack's files that have a build section. */
export function servicesWithBuild(files: { content: string }[]): string[] {
  const services = new Set<string>();
  for (const file of files) {
    for (const document of parseAllDocuments(file.content)) {
      const parsed: unknown = "toJS" in document ? document.toJS() : null;
      const entries = typeof parsed === "object" && parsed !== null && "services" in parsed && typeof parsed.services === "object" && parsed.services !== null ? Object.entries(parsed.services) : [];
      for (const [name, service] of entries) if (typeof service === "object" && service !== null && "build" in service) services.add(name);
    }
  }
  return [...services].sort();
}
