import { loadConfig, withCheckedProject } from "../compose/project";
import type { CallHandler } from "./context";

export const composeConfig: CallHandler<"composeConfig"> = (params, ctx) =>
  withCheckedProject(ctx, params.project, async (prepared) => {
    const { merged, services } = await loadConfig(ctx, prepared);
    const images = services.flatMap((service) => (service.image === null ? [] : [service.image]));
    return {
      merged,
      services: services.map((service) => service.name),
      images: [...new Set(images)].sort(),
      compose: { flavor: prepared.command.flavor, version: prepared.command.version },
    };
  });
