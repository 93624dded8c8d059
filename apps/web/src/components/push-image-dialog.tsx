"use client";

import { useQuery } from "@tanstack/react-query";
import { CheckCircle2Icon, UploadIcon } from "lucide-react";
import { useRef, useState } from "react";

import { ErrorAlert } from "~/components/error-alert";
import { Field } from "~/components/field";
import { Spinner } from "~/components/spinner";
import { Alert, AlertDescription, AlertTitle } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogFooter, DialogHeader, DialogTitle, DialogTrigger } from "~/components/ui/dialog";
import { Input } from "~/components/ui/input";
import { NativeSelect } from "~/components/ui/native-select";
import { errorReason } from "~/lib/errors";
import { formatBytes } from "~/lib/format";
import { useTRPC, useTRPCClient } from "~/trpc/react";

interface Layer {
  id: string;
  state: string;
  currentBytes?: number | undefined;
  totalBytes?: number | undefined;
}

const STATE_LABEL: Record<string, string> = {
  preparing: "Preparing",
  waiting: "Waiting",
  pushing: "Pushing",
  pushed: "Pushed",
  exists: "Skipped: already in the registry",
  mounted: "Skipped: mounted from another repository",
};

/** "team/web:1.2" → its repository path and tag, as the push form's defaults. */
function splitTag(image: string): { repository: string; tag: string } {
  const name = image.replace(/^[^/]*[.:][^/]*\//, "");
  const colon = name.lastIndexOf(":");
  return colon > 0 ? { repository: name.slice(0, colon), tag: name.slice(colon + 1) } : { repository: name.includes("sha256") ? "" : name, tag: "latest" };
}

/** Tags a host's image and pushes it to one of the team's registries, showing each layer as it goes. */
export function PushImageDialog({ hostId, image }: { hostId: string; image: string }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const registries = useQuery(trpc.registry.list.queryOptions());
  const defaults = splitTag(image);
  const [open, setOpen] = useState(false);
  const [registryId, setRegistryId] = useState("");
  const [repository, setRepository] = useState(defaults.repository);
  const [tag, setTag] = useState(defaults.tag);
  const [layers, setLayers] = useState<Map<string, Layer>>(new Map());
  const [result, setResult] = useState<{ reference: string; digest: string } | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [pushing, setPushing] = useState(false);
  const subscription = useRef<{ unsubscribe: () => void } | null>(null);
  const chosen = registryId || registries.data?.[0]?.id || "";

  const push = (createRepository: boolean): void => {
    setLayers(new Map());
    setResult(null);
    setError(null);
    setPushing(true);
    subscription.current = client.registry.push.subscribe(
      { hostId, image, registryId: chosen, repository, tag, createRepository },
      {
        onData: (event) => {
          if (event.kind === "layer") setLayers((previous) => new Map(previous).set(event.id, event));
          else if (event.kind === "pushed") setResult({ reference: event.reference, digest: event.digest });
        },
        onError: (failure) => {
          setError(failure);
          setPushing(false);
        },
        onComplete: () => setPushing(false),
      },
    );
  };

  const changeOpen = (next: boolean): void => {
    setOpen(next);
    if (!next) {
      subscription.current?.unsubscribe();
      setPushing(false);
      setLayers(new Map());
      setResult(null);
      setError(null);
    }
  };

  return (
    <Dialog open={open} onOpenChange={changeOpen}>
      <DialogTrigger asChild>
        <Button variant="ghost" size="sm" aria-label={`Push ${image} to a registry`}>
          <UploadIcon aria-hidden />
          Push
        </Button>
      </DialogTrigger>
      <DialogContent className="sm:max-w-xl">
        <DialogHeader>
          <DialogTitle>Push {image}</DialogTitle>
          <DialogDescription>The host tags the image and pushes it with the registry&apos;s credentials for this push only.</DialogDescription>
        </DialogHeader>
        <form
          noValidate
          className="grid gap-4"
          onSubmit={(event) => {
            event.preventDefault();
            push(false);
          }}
        >
          {registries.data?.length === 0 ? (
            <Alert>
              <AlertDescription>Add a registry on the Registries page first.</AlertDescription>
            </Alert>
          ) : null}
          <Field label="Registry">
            {(control) => (
              <NativeSelect {...control} value={chosen} onChange={(event) => setRegistryId(event.target.value)} disabled={pushing}>
                {(registries.data ?? []).map((registry) => (
                  <option key={registry.id} value={registry.id}>
                    {registry.name} ({registry.address})
                  </option>
                ))}
              </NativeSelect>
            )}
          </Field>
          <div className="grid gap-4 sm:grid-cols-[2fr_1fr]">
            <Field label="Repository" hint="e.g. team/web">
              {(control) => <Input {...control} value={repository} onChange={(event) => setRepository(event.target.value)} disabled={pushing} autoComplete="off" />}
            </Field>
            <Field label="Tag">
              {(control) => <Input {...control} value={tag} onChange={(event) => setTag(event.target.value)} disabled={pushing} autoComplete="off" />}
            </Field>
          </div>
          {layers.size > 0 ? (
            <ul className="grid gap-1 text-xs" aria-label="Layers">
              {[...layers.values()].map((layer) => (
                <li key={layer.id} className="flex justify-between gap-3 font-mono">
                  <span>{layer.id}</span>
                  <span className="text-muted-foreground">
                    {STATE_LABEL[layer.state] ?? layer.state}
                    {layer.state === "pushing" && layer.totalBytes ? ` ${formatBytes(layer.currentBytes ?? 0)} / ${formatBytes(layer.totalBytes)}` : ""}
                  </span>
                </li>
              ))}
            </ul>
          ) : null}
          {result ? (
            <Alert>
              <CheckCircle2Icon aria-hidden />
              <AlertTitle>Pushed {result.reference}</AlertTitle>
              <AlertDescription className="font-mono text-xs break-all">{result.digest}</AlertDescription>
            </Alert>
          ) : null}
          <ErrorAlert error={error} />
          <DialogFooter>
            {errorReason(error) === "REPOSITORY_MISSING" ? (
              <Button type="button" variant="outline" onClick={() => push(true)} disabled={pushing}>
                Create the repository and push
              </Button>
            ) : null}
            <Button type="submit" disabled={pushing || !chosen || !repository || !tag}>
              {pushing ? <Spinner /> : <UploadIcon aria-hidden />}
              Push
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
