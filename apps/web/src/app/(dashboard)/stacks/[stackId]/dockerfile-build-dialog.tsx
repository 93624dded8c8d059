"use client";

import { FileCodeIcon } from "lucide-react";
import { type FormEvent, useState } from "react";

import { DialogFormFooter } from "~/components/dialog-form-footer";
import { Field } from "~/components/field";
import { Button } from "~/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from "~/components/ui/dialog";
import { Input } from "~/components/ui/input";
import { NativeSelect } from "~/components/ui/native-select";

export interface DockerfileBuild {
  dockerfile: string;
  context: string;
  tag: string;
}

const isDockerfile = (path: string) => /(^|\/)([^/]*\.)?Dockerfile(\.[^/]*)?$/i.test(path);
const directoryOf = (path: string) => (path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : ".");

/**
 * Builds one Dockerfile of the stack's folder on a host into an image name,
 * with the build options chosen beside the actions. The server checks the
 * paths again (inside the folder, the Dockerfile inside its context).
 */
export function DockerfileBuildDialog({
  hostName,
  paths,
  disabled,
  pending,
  onConfirm,
}: {
  hostName: string;
  /** The files of the latest revision's folder. */
  paths: string[];
  disabled: boolean;
  pending: boolean;
  onConfirm: (build: DockerfileBuild) => Promise<unknown>;
}) {
  const dockerfiles = paths.filter(isDockerfile);
  const [open, setOpen] = useState(false);
  const [dockerfile, setDockerfile] = useState(dockerfiles[0] ?? "");
  const [context, setContext] = useState(directoryOf(dockerfiles[0] ?? ""));
  const [tag, setTag] = useState("");
  const none = dockerfiles.length === 0;

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    // A refusal shows on the host's card, where the job's output also goes: the dialog closes either way.
    await onConfirm({ dockerfile, context: context.trim() || ".", tag: tag.trim() });
    setOpen(false);
  };

  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button size="sm" variant="outline" disabled={disabled || none} title={none ? "The stack's folder has no Dockerfile: upload one in the Files tab." : "Build one Dockerfile of the stack's folder into an image."}>
          <FileCodeIcon aria-hidden />
          Build a Dockerfile
        </Button>
      </DialogTrigger>
      <DialogContent>
        <DialogHeader>
          <DialogTitle>Build a Dockerfile on {hostName}</DialogTitle>
          <DialogDescription>Builds it from the latest revision&apos;s folder with the build options below the actions, and tags the image. Its output shows below, and in the History tab.</DialogDescription>
        </DialogHeader>
        <form onSubmit={(event) => void submit(event)} className="grid gap-4">
          <Field label="Dockerfile">
            {(control) => (
              <NativeSelect
                {...control}
                value={dockerfile}
                onChange={(event) => {
                  setDockerfile(event.target.value);
                  setContext(directoryOf(event.target.value));
                }}
              >
                {dockerfiles.map((path) => (
                  <option key={path} value={path}>
                    {path}
                  </option>
                ))}
              </NativeSelect>
            )}
          </Field>
          <Field label="Context directory" hint="A directory of the stack's folder that holds the Dockerfile (. for the whole folder).">
            {(control) => <Input {...control} value={context} onChange={(event) => setContext(event.target.value)} className="font-mono" />}
          </Field>
          <Field label="Image name" hint="[registry/]repository[:tag], e.g. team/web:1.0">
            {(control) => <Input {...control} value={tag} onChange={(event) => setTag(event.target.value)} required className="font-mono" />}
          </Field>
          <DialogFormFooter submitting={pending} label="Build" disabled={!dockerfile || !tag.trim()} />
        </form>
      </DialogContent>
    </Dialog>
  );
}
