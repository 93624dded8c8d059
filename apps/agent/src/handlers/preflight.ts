import { runPreflight } from "../compose/preflight";
import { supervisorsFor } from "../compose/supervisors";
import type { CallHandler } from "./context";

/** A compose run usually follows a preflight: its supervisor starts meanwhile. */
export const preflight: CallHandler<"preflight"> = (params, ctx) => {
  supervisorsFor(ctx).warm();
  return runPreflight(ctx, params);
};
