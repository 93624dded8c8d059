import { runPreflight } from "../compose/preflight";
import type { CallHandler } from "./context";

export const preflight: CallHandler<"preflight"> = (params, ctx) => runPreflight(ctx, params);
