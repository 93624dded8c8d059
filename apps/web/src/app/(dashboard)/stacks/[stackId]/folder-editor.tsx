"use client";

import { useQuery } from "@tanstack/react-query";
import { FilePlusIcon, FolderUpIcon, PencilIcon, Trash2Icon, UploadIcon } from "lucide-react";
import { type DragEvent, useRef, useState } from "react";
import { toast } from "sonner";

import { CodeEditor } from "~/components/code-editor";
import { Alert, AlertDescription } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { Input } from "~/components/ui/input";
import { formatBytes } from "~/lib/format";
import { useTRPC } from "~/trpc/react";

import { asText, filesFromDrop, fromBase64, type PickedFile, readPicked, toBase64, type UploadedFile } from "./folder-upload";
import { type DraftFolderFile, newId, type StackDetail } from "./stack-draft";

type Limits = StackDetail["folderLimits"];

/** Uploaded files replace those at the same path; the rest are added. */
function merge(folder: DraftFolderFile[], uploaded: UploadedFile[]): DraftFolderFile[] {
  const next = [...folder];
  for (const file of uploaded) {
    const entry = { path: file.path, size: file.data.length, executable: file.executable, sha256: null, content: toBase64(file.data) };
    const at = next.findIndex((old) => old.path === file.path);
    if (at >= 0) next[at] = { ...next[at]!, ...entry };
    else next.push({ id: newId("folder"), secret: false, ...entry });
  }
  return next.sort((a, b) => a.path.localeCompare(b.path));
}

/** What the editor can tell before the server checks again at save. */
function overLimits(folder: DraftFolderFile[], limits: Limits): string[] {
  const total = folder.reduce((sum, file) => sum + file.size, 0);
  return [
    ...(folder.length > limits.files ? [`${folder.length} files: at most ${limits.files} fit.`] : []),
    ...folder.filter((file) => file.size > limits.fileBytes).map((file) => `${file.path} takes ${formatBytes(file.size)}: at most ${formatBytes(limits.fileBytes)} per file.`),
    ...(total > limits.totalBytes ? [`The folder takes ${formatBytes(total)}: at most ${formatBytes(limits.totalBytes)} in all.`] : []),
  ];
}

/** The text of a folder file to edit: its new content, or the saved one fetched once. */
function useFileText(stackId: string, revision: number, file: DraftFolderFile | null): { text: string | null; loading: boolean } {
  const trpc = useTRPC();
  const saved = useQuery(
    trpc.stack.folderFile.queryOptions({ stackId, number: revision, path: file?.path ?? "" }, { enabled: file !== null && file.content === undefined && file.sha256 !== null && revision > 0 }),
  );
  if (file === null) return { text: null, loading: false };
  if (file.content !== undefined) return { text: asText(fromBase64(file.content)), loading: false };
  if (saved.data) return { text: asText(fromBase64(saved.data.content)), loading: false };
  return { text: null, loading: saved.isPending };
}

export function FolderEditor({
  stackId,
  revision,
  folder,
  limits,
  readOnly,
  onChange,
}: {
  stackId: string;
  /** The saved revision the draft started from, to read unchanged files from (0: none). */
  revision: number;
  folder: DraftFolderFile[];
  limits: Limits;
  readOnly: boolean;
  onChange: (next: DraftFolderFile[]) => void;
}) {
  const [editing, setEditing] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement>(null);
  const editingFile = folder.find((file) => file.id === editing) ?? null;
  const { text, loading } = useFileText(stackId, revision, editingFile);
  const problems = overLimits(folder, limits);
  const total = folder.reduce((sum, file) => sum + file.size, 0);

  const add = async (picked: PickedFile[]) => {
    try {
      const uploaded = await readPicked(picked);
      onChange(merge(folder, uploaded));
      toast.success(`${uploaded.length} file${uploaded.length === 1 ? "" : "s"} added to the folder. Save a revision to keep them.`);
    } catch (error) {
      toast.error(`Could not read that upload: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  const update = (id: string, change: Partial<DraftFolderFile>) => onChange(folder.map((file) => (file.id === id ? { ...file, ...change } : file)));
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    if (!readOnly) void filesFromDrop(event.dataTransfer.items).then(add);
  };

  return (
    <section aria-labelledby="folder-heading" className="grid gap-3">
      <div className="grid gap-1">
        <h3 id="folder-heading" className="text-sm font-medium">
          Folder
        </h3>
        <p className="text-xs text-muted-foreground">
          Files the stack needs besides its compose files: Dockerfiles and their sources, config files to mount, env_files, secret files. Paths are relative to
          the compose files. Up to {limits.files} files, {formatBytes(limits.fileBytes)} each, {formatBytes(limits.totalBytes)} in all; now {folder.length} file
          {folder.length === 1 ? "" : "s"}, {formatBytes(total)}.
        </p>
      </div>
      {problems.length > 0 ? (
        <Alert variant="destructive">
          <AlertDescription>
            <ul>
              {problems.map((problem) => (
                <li key={problem}>{problem}</li>
              ))}
            </ul>
          </AlertDescription>
        </Alert>
      ) : null}
      {readOnly ? null : (
        <div
          data-testid="folder-drop-zone"
          onDragOver={(event) => {
            event.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
          className={`grid justify-items-center gap-2 rounded-lg border border-dashed p-4 text-sm ${dragging ? "bg-accent" : ""}`}
        >
          <p className="text-muted-foreground">Drop a folder, files, or a .zip / .tar.gz here</p>
          <div className="flex flex-wrap gap-2">
            <Button variant="outline" size="sm" onClick={() => folderInput.current?.click()}>
              <FolderUpIcon aria-hidden />
              Upload folder
            </Button>
            <Button variant="outline" size="sm" onClick={() => filesInput.current?.click()}>
              <UploadIcon aria-hidden />
              Upload files or archive
            </Button>
            <Button
              variant="outline"
              size="sm"
              onClick={() => {
                const id = newId("folder");
                onChange([...folder, { id, path: `new-file-${folder.length + 1}.txt`, size: 0, executable: false, secret: false, sha256: null, content: "" }]);
                setEditing(id);
              }}
            >
              <FilePlusIcon aria-hidden />
              New text file
            </Button>
          </div>
          <input
            ref={filesInput}
            type="file"
            multiple
            hidden
            aria-label="Files or archive to upload"
            onChange={(event) => void add([...(event.target.files ?? [])].map((file) => ({ file, path: file.name }))).then(() => (event.target.value = ""))}
          />
          <input
            ref={(element) => {
              folderInput.current = element;
              element?.setAttribute("webkitdirectory", "");
            }}
            type="file"
            multiple
            hidden
            aria-label="Folder to upload"
            onChange={(event) => void add([...(event.target.files ?? [])].map((file) => ({ file, path: file.webkitRelativePath || file.name }))).then(() => (event.target.value = ""))}
          />
        </div>
      )}
      {folder.length === 0 ? (
        <p className="text-sm text-muted-foreground">No files besides the compose files yet.</p>
      ) : (
        <ul aria-label="Folder files" className="grid gap-1">
          {folder.map((file) => (
            <li key={file.id} className="flex flex-wrap items-center gap-2 rounded-md border px-2 py-1">
              <Input
                aria-label={`Path of ${file.path}`}
                defaultValue={file.path}
                readOnly={readOnly}
                onBlur={(event) => {
                  if (event.target.value !== file.path) update(file.id, { path: event.target.value.trim() });
                }}
                className="h-7 min-w-48 flex-1 font-mono text-xs"
              />
              <span className="w-16 text-right text-xs text-muted-foreground">{formatBytes(file.size)}</span>
              <label className="flex items-center gap-1 text-xs">
                <input type="checkbox" checked={file.executable} disabled={readOnly || file.secret} onChange={(event) => update(file.id, { executable: event.target.checked })} />
                executable
              </label>
              <label className="flex items-center gap-1 text-xs">
                <input
                  type="checkbox"
                  checked={file.secret}
                  disabled={readOnly || (file.secret && file.content === undefined)}
                  onChange={(event) => update(file.id, { secret: event.target.checked, executable: false })}
                />
                secret
              </label>
              {readOnly || file.secret ? null : (
                <Button variant="ghost" size="sm" onClick={() => setEditing(editing === file.id ? null : file.id)} aria-label={`Edit ${file.path}`}>
                  <PencilIcon aria-hidden />
                </Button>
              )}
              {readOnly ? null : (
                <Button variant="ghost" size="sm" onClick={() => onChange(folder.filter((other) => other.id !== file.id))} aria-label={`Delete ${file.path}`}>
                  <Trash2Icon aria-hidden />
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      {editingFile ? (
        loading ? (
          <p className="text-sm text-muted-foreground">Loading {editingFile.path}…</p>
        ) : text === null ? (
          <p className="text-sm text-muted-foreground">{editingFile.path} is a binary file: it is listed and kept, not edited here. Upload a new one to replace it.</p>
        ) : (
          <CodeEditor
            key={editingFile.id}
            value={text}
            onChange={(next) => {
              const data = new TextEncoder().encode(next);
              update(editingFile.id, { content: toBase64(data), size: data.length, sha256: null });
            }}
            label={`Contents of ${editingFile.path}`}
            className="h-80"
          />
        )
      ) : null}
    </section>
  );
}
