import { z } from "zod";

/**
 * Output schemas of the procedures exposed over REST (openapi.ts). They name
 * the fields clients rely on and let the rest through unchanged (loose), so
 * the browser, which calls the same procedures, gets exactly what it got before.
 */
/**
 * The schema as the procedure's output parser, typed as what the service
 * returns (`of<T>()` fails to compile when T does not fit the schema): the
 * schema documents a loose subset and parsing passes every other field
 * through, so callers keep the service's full type.
 */
export function restOutput<S extends z.ZodType>(schema: S) {
  return { of: <T extends z.output<S>>(): z.ZodType<T> => schema as unknown as z.ZodType<T> };
}

const ref = z.looseObject({ id: z.string(), name: z.string() });
const jobStatus = z.enum(["QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"]);

export const hostOutput = z.looseObject({ id: z.string(), name: z.string(), status: z.string(), environment: ref });
export const hostListOutput = z.array(hostOutput);

const stackTarget = z.looseObject({
  host: ref,
  state: z.looseObject({ state: z.string(), containers: z.unknown() }).nullable(),
});
export const stackOutput = z.looseObject({ id: z.string(), name: z.string(), description: z.string() });
export const stackListOutput = z.array(stackOutput.extend({ targets: z.array(stackTarget) }));

const revision = z.looseObject({ number: z.number().int(), message: z.string() });
export const revisionPageOutput = z.object({ items: z.array(revision), nextCursor: z.number().int().nullable() });

export const stackStatusOutput = z.looseObject({
  stack: ref,
  host: ref,
  deployed: z.looseObject({ deploymentId: z.string(), revisionNumber: z.number().int() }).nullable(),
  services: z.array(z.looseObject({ service: z.string(), inDeployedRevision: z.boolean(), containers: z.array(z.looseObject({ id: z.string(), name: z.string() })) })),
});

export const jobOutput = z.looseObject({ id: z.string(), stackId: z.string(), action: z.string(), status: jobStatus, exitCode: z.number().int().nullable() });
export const jobListOutput = z.array(jobOutput);
export const jobPageOutput = z.object({ items: z.array(jobOutput), nextCursor: z.string().nullable() });
export const cancelOutput = z.looseObject({ id: z.string(), status: z.enum(["CANCELLED", "CANCELLING"]) });
