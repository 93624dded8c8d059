"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { KeyRoundIcon, ShieldAlertIcon } from "lucide-react";
import type { ReactNode } from "react";
import { toast } from "sonner";

import { ConfirmDialog } from "~/components/confirm-dialog";
import { useCan } from "~/components/me-context";
import { RelativeTime } from "~/components/relative-time";
import { Alert, AlertDescription, AlertTitle } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { useTRPC } from "~/trpc/react";

import { keyTypeLabel } from "../host-failure";

/** What the panel needs of the host. */
export interface KeyedHost {
  id: string;
  name: string;
  address: string;
  port: number;
  hostKeyAlgorithm: string;
  hostKeyFingerprint: string;
  keyPinnedAt: Date;
  seenKeyAlgorithm: string | null;
  seenKeyFingerprint: string | null;
  seenKeyAt: Date | null;
}

function KeyBox({ label, algorithm, fingerprint, children }: { label: string; algorithm: string; fingerprint: string; children: ReactNode }) {
  return (
    <div className="grid min-w-0 content-start gap-1.5 rounded-lg border bg-background p-3 text-foreground">
      <p className="text-xs font-medium text-muted-foreground">
        {label} ({keyTypeLabel(algorithm)})
      </p>
      <p className="font-mono text-sm break-all">{fingerprint}</p>
      <p className="text-xs text-muted-foreground">{children}</p>
    </div>
  );
}

/**
 * Shown while the host presents a key other than the pinned one: both keys
 * side by side, since when, and (for those allowed to manage hosts) accepting
 * the new key after typing the host's name. Until then Wharf refuses to talk
 * to the host.
 */
export function HostKeyMismatch({ host }: { host: KeyedHost }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const canWrite = useCan("host:write");
  const accept = useMutation(trpc.host.acceptHostKey.mutationOptions());
  const seen = host.seenKeyFingerprint;
  if (!seen) return null;

  const onAccept = async (typedName: string): Promise<void> => {
    await accept.mutateAsync({ hostId: host.id, fingerprint: seen, confirmName: typedName });
    await queryClient.invalidateQueries(trpc.host.pathFilter());
    toast.success(`${host.name} now trusts ${seen}`);
  };

  return (
    <Alert variant="destructive" aria-labelledby="host-key-mismatch-title">
      <ShieldAlertIcon aria-hidden />
      <AlertTitle id="host-key-mismatch-title">The host key of {host.name} changed</AlertTitle>
      <AlertDescription className="grid gap-3">
        <p className="text-foreground/80">
          {host.address}:{host.port} no longer presents the key Wharf pinned. If the machine was rebuilt or its SSH keys regenerated, check the new fingerprint on the
          machine itself (<code className="font-mono text-xs">ssh-keygen -lf /etc/ssh/ssh_host_{keyTypeLabel(host.seenKeyAlgorithm ?? "").toLowerCase()}_key.pub</code>) and
          accept it. Otherwise someone may be intercepting the connection. Until then every action on this host is refused.
        </p>
        <div className="grid gap-3 sm:grid-cols-2">
          <KeyBox label="Pinned key" algorithm={host.hostKeyAlgorithm} fingerprint={host.hostKeyFingerprint}>
            Pinned <RelativeTime value={host.keyPinnedAt} />
          </KeyBox>
          <KeyBox label="Key the host presents now" algorithm={host.seenKeyAlgorithm ?? ""} fingerprint={seen}>
            First seen <RelativeTime value={host.seenKeyAt} />
          </KeyBox>
        </div>
        {canWrite ? (
          <ConfirmDialog
            trigger={
              <Button variant="outline" size="sm" className="w-fit">
                <KeyRoundIcon aria-hidden />
                Accept the new key…
              </Button>
            }
            title={`Trust the new key of ${host.name}?`}
            description={
              <>
                Wharf pins <span className="font-mono break-all">{seen}</span> after signing in with it, and keeps the old key in the host&apos;s key history. Only do this
                after checking the fingerprint on the machine.
              </>
            }
            confirmName={host.name}
            confirmLabel={accept.isPending ? "Checking and accepting…" : "Accept the new key"}
            confirmVariant="default"
            pending={accept.isPending}
            error={accept.error}
            onConfirm={onAccept}
            onClosed={() => accept.reset()}
          />
        ) : (
          <p className="text-xs">Someone allowed to manage hosts can accept the new key.</p>
        )}
      </AlertDescription>
    </Alert>
  );
}

/** Keys the host was pinned to before, newest first. */
export function HostKeyHistory({ keys }: { keys: { id: string; algorithm: string; fingerprint: string; address: string; port: number; pinnedAt: Date; replacedAt: Date; replacedByLabel: string }[] }) {
  if (keys.length === 0) return null;
  return (
    <section aria-labelledby="key-history-title" className="grid gap-2">
      <h2 id="key-history-title" className="text-sm font-medium">
        Earlier host keys
      </h2>
      <ul className="grid gap-1.5 text-sm">
        {keys.map((key) => (
          <li key={key.id} className="flex flex-wrap items-baseline gap-x-3 gap-y-0.5">
            <span className="font-mono text-xs break-all">{key.fingerprint}</span>
            <span className="text-xs text-muted-foreground">
              {keyTypeLabel(key.algorithm)} at {key.address}:{key.port}, replaced <RelativeTime value={key.replacedAt} /> by {key.replacedByLabel}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
