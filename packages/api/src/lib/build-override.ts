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
export function renderBuildOverride(services: string[], options: BuildSectionOptions): string | null {
  const build = buildSection(options);
  if (services.length === 0 || Object.keys(build).length === 0) return null;
  return stringify({ services: Object.fromEntries(services.map((service) => [service, { build }])) });
}

export interface BuildSectionOptions {
  target?: string | undefined;
  args?: Record<string, string> | undefined;
}

/** A service's `build:` keys for these options, with $ kept literal: compose interpolates generated files too. */
export function buildSection(options: BuildSectionOptions): Record<string, unknown> {
  const build = { ...(options.target === undefined ? {} : { target: options.target }), ...(options.args === undefined || Object.keys(options.args).length === 0 ? {} : { args: options.args }) };
  return JSON.parse(JSON.stringify(build).replaceAll("$", "$$$$")) as Record<string, unknown>;
}

/** A service as the stack's files declare it, later files overriding earlier ones as compose merges them. */
export interface DeclaredService {
  name: string;
  build: boolean;
  /** The `image:` as written (variables not interpolated); null when no file sets it. */
  image: string | null;
}

/** The services of the stack's files, by name, with whether any file gives them a build section and their last `image:`. */
export function declaredServices(files: { content: string }[]): DeclaredService[] {
  const services = new Map<string, DeclaredService>();
  for (const file of files) {
    for (const document of parseAllDocuments(file.content)) {
      const parsed: unknown = "toJS" in document ? document.toJS() : null;
      const entries = typeof parsed === "object" && parsed !== null && "services" in parsed && typeof parsed.services === "object" && parsed.services !== null ? Object.entries(parsed.services) : [];
      for (const [name, service] of entries) {
        const declared = services.get(name) ?? { name, build: false, image: null };
        if (typeof service === "object" && service !== null) {
          if ("build" in service) declared.build = true;
          const image: unknown = (service as { image?: unknown }).image;
          if (typeof image === "string") declared.image = image;
        }
        services.set(name, declared);
      }
    }
  }
  return [...services.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** The services of the stack's files that have a build section. */
export function servicesWithBuild(files: { content: string }[]): string[] {
  return declaredServices(files)
    .filter((service) => service.build)
    .map((service) => service.name);
}
