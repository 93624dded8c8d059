"use client";

import { type QueryFilters, useMutation, type UseMutationOptions, useQueryClient } from "@tanstack/react-query";
import { toast } from "sonner";

/**
 * A mutation that, once it succeeds, refreshes the queries it changed and
 * then says what was done in a toast. Its promise (mutateAsync) settles only
 * after both, so a dialog closes on fresh data.
 */
export function useToastMutation<TData, TError, TVariables, TContext>(
  options: UseMutationOptions<TData, TError, TVariables, TContext>,
  after: { invalidate: QueryFilters[]; success?: string | ((data: TData, variables: TVariables) => string) },
) {
  const queryClient = useQueryClient();
  return useMutation({
    ...options,
    onSuccess: async (data, variables, ...rest) => {
      await options.onSuccess?.(data, variables, ...rest);
      for (const filters of after.invalidate) await queryClient.invalidateQueries(filters);
      if (after.success) toast.success(typeof after.success === "string" ? after.success : after.success(data, variables));
    },
  });
}
