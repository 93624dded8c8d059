import { loadConfig, prepareProject } from "../compose/project";
import { withProjectLock } from "../compose/project-lock";
import type { CallHandler } from "./context";

export const composeConfig: CallHandler<"composeConfig"> = (params, ctx) =>
  withProjectLock(params.project.name, "a config check", async () => {
    const prepared = await prepareProject(ctx, params.project);
    const { merged, services } = await loadConfig(ctx, prepared);
    const images = services.flatMap((service) => (service.image === null ? [] : [service.image]));
    return {
      merged,
      services: services.map((service) => service.name),
      images: [...new Set(images)].sort(),
      compose: { flavor: prepared.command.flavor, version: prepared.command.version },
    };
  });
