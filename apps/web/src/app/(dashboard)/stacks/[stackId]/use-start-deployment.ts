"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import type { inferRouterInputs } from "@trpc/server";
import type { AppRouter } from "@wharf/api";
import { toast } from "sonner";

import { errorReason } from "~/lib/errors";
import { type RouterOutputs, useTRPC, useTRPCClient } from "~/trpc/react";

type StartInput = inferRouterInputs<AppRouter>["deployment"]["start"];
export interface StartOutcome {
  jobs: RouterOutputs["deployment"]["start"];
  request: RouterOutputs["approval"]["request"] | null;
}

/**
 * Starts a job, or, on hosts of a protected environment (the server answers
 * APPROVAL_REQUIRED), asks for approval of the very same action instead.
 */
export function useStartDeployment() {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (input: StartInput): Promise<StartOutcome> => {
      try {
        return { jobs: await client.deployment.start.mutate(input), request: null };
      } catch (error) {
        if (errorReason(error) !== "APPROVAL_REQUIRED") throw error;
        const request = await client.approval.request.mutate(input);
        await queryClient.invalidateQueries(trpc.approval.pathFilter());
        toast.info(`This environment is protected: the ${input.action.toLowerCase()} waits for ${request.requiredApprovals} approval(s) from another member (see Approvals).`);
        return { jobs: [], request };
      }
    },
  });
}
