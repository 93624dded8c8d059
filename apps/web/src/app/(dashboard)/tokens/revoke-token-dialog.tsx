"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { BanIcon } from "lucide-react";
import { toast } from "sonner";

import { ConfirmDialog } from "~/components/confirm-dialog";
import { Button } from "~/components/ui/button";
import { useTRPC } from "~/trpc/react";

import type { TokenRow } from "./tokens-view";

export function RevokeTokenDialog({ token }: { token: TokenRow }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const revoke = useMutation(trpc.apiToken.revoke.mutationOptions());

  const onRevoke = async (): Promise<void> => {
    await revoke.mutateAsync({ tokenId: token.id });
    await queryClient.invalidateQueries(trpc.apiToken.list.queryFilter());
    toast.success(`Revoked ${token.name}`);
  };

  return (
    <ConfirmDialog
      trigger={
        <Button variant="ghost" size="icon-sm" aria-label={`Revoke token ${token.name}`} title="Revoke token" className="text-muted-foreground hover:text-destructive">
          <BanIcon aria-hidden />
        </Button>
      }
      title={`Revoke ${token.name}?`}
      description="Every pipeline or script using this token is refused from its next request. This cannot be undone: create a new token to replace it."
      confirmName={token.name}
      confirmLabel="Revoke token"
      pending={revoke.isPending}
      error={revoke.error}
      onConfirm={onRevoke}
      onClosed={() => revoke.reset()}
    />
  );
}
