"use client";

import { BanIcon } from "lucide-react";

import { ConfirmDialog } from "~/components/confirm-dialog";
import { Button } from "~/components/ui/button";
import { useToastMutation } from "~/components/use-toast-mutation";
import { useTRPC } from "~/trpc/react";

import type { TokenRow } from "./tokens-view";

export function RevokeTokenDialog({ token }: { token: TokenRow }) {
  const trpc = useTRPC();
  const revoke = useToastMutation(trpc.apiToken.revoke.mutationOptions(), { invalidate: [trpc.apiToken.list.queryFilter()], success: `Revoked ${token.name}` });

  const onRevoke = async (): Promise<void> => {
    await revoke.mutateAsync({ tokenId: token.id });
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
