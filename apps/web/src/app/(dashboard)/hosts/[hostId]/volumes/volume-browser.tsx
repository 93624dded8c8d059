"use client";

import { useMutation } from "@tanstack/react-query";
import type { VolumeFileEntry } from "@wharf/agent-protocol";
import { ArrowLeftIcon, DownloadIcon, FileIcon, FolderIcon, FolderOpenIcon, LinkIcon } from "lucide-react";
import { useState } from "react";

import { Spinner } from "~/components/spinner";
import { Alert, AlertDescription } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle, DialogTrigger } from "~/components/ui/dialog";
import { errorMessage } from "~/lib/errors";
import { formatBytes } from "~/lib/format";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

type Page = RouterOutputs["volume"]["browse"];
type FileRead = RouterOutputs["volume"]["readFile"];

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

function saveFile(file: FileRead): void {
  const url = URL.createObjectURL(new Blob([decode(file.contentBase64)], { type: "application/octet-stream" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = file.path.split("/").at(-1) ?? "file";
  link.click();
  URL.revokeObjectURL(url);
}

const join = (dir: string, name: string): string => (dir ? `${dir}/${name}` : name);

function Breadcrumbs({ volume, path, onOpen }: { volume: string; path: string; onOpen: (path: string) => void }) {
  const parts = path ? path.split("/") : [];
  return (
    <nav aria-label="Path" className="flex flex-wrap items-center gap-1 font-mono text-xs">
      <Button variant="link" size="sm" className="h-auto p-0 font-mono text-xs" onClick={() => onOpen("")}>
        {volume}
      </Button>
      {parts.map((part, index) => (
        <span key={parts.slice(0, index + 1).join("/")} className="flex items-center gap-1">
          <span aria-hidden>/</span>
          {index === parts.length - 1 ? (
            <span aria-current="location">{part}</span>
          ) : (
            <Button variant="link" size="sm" className="h-auto p-0 font-mono text-xs" onClick={() => onOpen(parts.slice(0, index + 1).join("/"))}>
              {part}
            </Button>
          )}
        </span>
      ))}
    </nav>
  );
}

function EntryIcon({ type }: { type: VolumeFileEntry["type"] }) {
  const Icon = type === "directory" ? FolderIcon : type === "symlink" ? LinkIcon : FileIcon;
  return <Icon aria-hidden className="size-4 shrink-0 text-muted-foreground" />;
}

function FileView({ file, onBack, onDownload, downloading }: { file: FileRead; onBack: () => void; onDownload: () => void; downloading: boolean }) {
  const text = file.binary ? null : new TextDecoder().decode(decode(file.contentBase64));
  return (
    <div className="grid min-w-0 gap-2">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <Button variant="ghost" size="sm" onClick={onBack}>
          <ArrowLeftIcon aria-hidden />
          Back to the folder
        </Button>
        <Button variant="outline" size="sm" onClick={onDownload} disabled={downloading}>
          {downloading ? <Spinner /> : <DownloadIcon aria-hidden />}
          Download ({formatBytes(file.sizeBytes)})
        </Button>
      </div>
      {file.truncated ? <p className="text-xs text-muted-foreground">Showing the first {formatBytes(decode(file.contentBase64).length)}: download the file for the rest.</p> : null}
      {text === null ? (
        <p className="text-sm text-muted-foreground">This file is not text ({formatBytes(file.sizeBytes)}): download it to open it.</p>
      ) : (
        <pre aria-label={`Contents of ${file.path}`} className="max-h-[55vh] overflow-auto rounded-md border bg-muted/40 p-3 font-mono text-xs whitespace-pre-wrap">
          {text}
        </pre>
      )}
    </div>
  );
}

/** Read-only: a volume's folders page by page, a text file's contents, a file's download. Every read is audited. */
export function VolumeBrowser({ hostId, volume }: { hostId: string; volume: string }) {
  const trpc = useTRPC();
  const [path, setPath] = useState("");
  const [pages, setPages] = useState<Page[]>([]);
  const [file, setFile] = useState<FileRead | null>(null);
  const browse = useMutation(trpc.volume.browse.mutationOptions({ onSuccess: (page) => setPages((shown) => [...shown, page]) }));
  const view = useMutation(trpc.volume.readFile.mutationOptions({ onSuccess: setFile }));
  const download = useMutation(trpc.volume.readFile.mutationOptions({ onSuccess: saveFile }));

  const open = (next: string) => {
    setPath(next);
    setPages([]);
    setFile(null);
    view.reset();
    browse.mutate({ hostId, name: volume, path: next });
  };
  const entries = pages.flatMap((page) => page.entries);
  const nextAfter = pages.at(-1)?.nextAfter ?? null;
  const error = browse.error ?? view.error ?? download.error;

  return (
    <Dialog
      onOpenChange={(isOpen) => {
        if (isOpen) open("");
        else download.reset();
      }}
    >
      <DialogTrigger asChild>
        <Button variant="ghost" size="sm" aria-label={`Browse volume ${volume}`}>
          <FolderOpenIcon aria-hidden />
          Browse
        </Button>
      </DialogTrigger>
      <DialogContent className="sm:max-w-3xl">
        <DialogHeader>
          <DialogTitle>Files in {volume}</DialogTitle>
          <DialogDescription>Read-only, through a helper container that is never started. Each folder listed and file read is recorded in the audit trail.</DialogDescription>
        </DialogHeader>
        <Breadcrumbs volume={volume} path={file ? file.path : path} onOpen={open} />
        {error ? (
          <Alert variant="destructive">
            <AlertDescription>{errorMessage(error)}</AlertDescription>
          </Alert>
        ) : null}
        {file ? (
          <FileView file={file} onBack={() => setFile(null)} downloading={download.isPending} onDownload={() => download.mutate({ hostId, name: volume, path: file.path, purpose: "download" })} />
        ) : (
          <div className="grid gap-2">
            {path ? (
              <Button variant="ghost" size="sm" className="w-fit" onClick={() => open(path.split("/").slice(0, -1).join("/"))}>
                <ArrowLeftIcon aria-hidden />
                Up one folder
              </Button>
            ) : null}
            <ul aria-label={`Files in /${path}`} className="max-h-[55vh] divide-y overflow-y-auto rounded-md border text-sm">
              {entries.map((entry) => (
                <li key={entry.name} className="flex items-center gap-2 px-3 py-1.5">
                  <EntryIcon type={entry.type} />
                  {entry.type === "directory" || entry.type === "file" ? (
                    <button
                      type="button"
                      className="min-w-0 truncate text-left font-mono text-xs hover:underline focus-visible:ring-[3px] focus-visible:ring-ring/50 focus-visible:outline-none"
                      onClick={() => (entry.type === "directory" ? open(join(path, entry.name)) : view.mutate({ hostId, name: volume, path: join(path, entry.name), purpose: "view" }))}
                    >
                      {entry.name}
                    </button>
                  ) : (
                    <span className="min-w-0 truncate font-mono text-xs">
                      {entry.name}
                      {entry.linkTarget ? <span className="text-muted-foreground"> → {entry.linkTarget}</span> : null}
                    </span>
                  )}
                  <span className="ml-auto shrink-0 text-xs text-muted-foreground tabular-nums">{entry.sizeBytes === null ? "—" : formatBytes(entry.sizeBytes)}</span>
                  {entry.type === "file" ? (
                    <Button
                      variant="ghost"
                      size="icon"
                      className="size-7"
                      aria-label={`Download ${entry.name}`}
                      disabled={download.isPending}
                      onClick={() => download.mutate({ hostId, name: volume, path: join(path, entry.name), purpose: "download" })}
                    >
                      <DownloadIcon aria-hidden />
                    </Button>
                  ) : null}
                </li>
              ))}
              {!browse.isPending && !browse.error && entries.length === 0 ? <li className="px-3 py-4 text-center text-muted-foreground">This folder is empty.</li> : null}
            </ul>
            {browse.isPending || view.isPending ? (
              <p className="flex items-center gap-2 text-xs text-muted-foreground" role="status">
                <Spinner /> Reading…
              </p>
            ) : null}
            {nextAfter && !browse.isPending ? (
              <Button variant="outline" size="sm" className="w-fit" onClick={() => browse.mutate({ hostId, name: volume, path, after: nextAfter })}>
                Show more
              </Button>
            ) : null}
          </div>
        )}
      </DialogContent>
    </Dialog>
  );
}
