"use client";

import { composeFilePathProblem } from "@wharf/agent-protocol";
import {
  ArrowDownIcon,
  ArrowUpIcon,
  FileIcon,
  MoreHorizontalIcon,
  PencilIcon,
  PlusIcon,
  Trash2Icon,
} from "lucide-react";
import { type FormEvent, Fragment, type ReactNode, useId, useState } from "react";

import { Button } from "~/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "~/components/ui/dropdown-menu";
import { Input } from "~/components/ui/input";
import { cn } from "~/lib/utils";

import { type DraftFile, newId } from "./stack-draft";

/** A path that wraps after its separators ("service/", "compose.", "sample-") before anywhere else. */
function BreakablePath({ path }: { path: string }) {
  return path.split(/(?<=[/._-])/).map((part, index) => (
    <Fragment key={index}>
      {index > 0 ? <wbr /> : null}
      {part}
    </Fragment>
  ));
}

/** Why `path` cannot be used for one of `files` (other than `selfId`), or null. */
function pathProblem(
  path: string,
  files: readonly DraftFile[],
  selfId?: string,
): string | null {
  const problem = composeFilePathProblem(path);
  if (problem) return `This path ${problem}.`;
  if (files.some((file) => file.id !== selfId && file.path === path))
    return "Another file has this path.";
  return null;
}

function PathForm({
  label,
  initial,
  files,
  selfId,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  label: string;
  initial: string;
  files: readonly DraftFile[];
  selfId?: string;
  submitLabel: ReactNode;
  onSubmit: (path: string) => void;
  onCancel?: () => void;
}) {
  const id = useId();
  const [path, setPath] = useState(initial);
  const [touched, setTouched] = useState(false);
  const problem = path.trim() ? pathProblem(path.trim(), files, selfId) : null;
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    setTouched(true);
    const value = path.trim();
    if (!value || problem) return;
    onSubmit(value);
    setPath("");
    setTouched(false);
  };
  return (
    <form onSubmit={submit} className="grid min-w-0 grid-cols-1 gap-1.5" noValidate>
      <label htmlFor={id} className="text-xs font-medium text-muted-foreground">
        {label}
      </label>
      <div className="flex gap-1.5">
        <Input
          id={id}
          value={path}
          onChange={(event) => {
            setPath(event.target.value);
            setTouched(true);
          }}
          onKeyDown={(event) => {
            if (event.key === "Escape" && onCancel) {
              event.preventDefault();
              onCancel();
            }
          }}
          placeholder="dir/compose.yaml"
          spellCheck={false}
          autoComplete="off"
          autoFocus={Boolean(onCancel)}
          aria-invalid={touched && Boolean(problem)}
          aria-describedby={touched && problem ? `${id}-error` : undefined}
          className="h-8 font-mono text-xs"
        />
        <Button
          type="submit"
          size="sm"
          variant="secondary"
          disabled={!path.trim()}
        >
          {submitLabel}
        </Button>
      </div>
      {touched && problem ? (
        <p id={`${id}-error`} className="text-xs text-destructive">
          {problem}
        </p>
      ) : null}
    </form>
  );
}

/** The stack's compose files in `-f` order: select, add, rename, reorder, remove. */
export function FileList({
  files,
  selectedId,
  problemCounts,
  readOnly,
  onSelect,
  onChange,
}: {
  files: DraftFile[];
  selectedId: string | null;
  problemCounts: ReadonlyMap<string, number>;
  readOnly: boolean;
  onSelect: (id: string) => void;
  onChange: (files: DraftFile[], select?: string) => void;
}) {
  const [renaming, setRenaming] = useState<string | null>(null);
  const move = (index: number, by: number): void => {
    const next = [...files];
    const [file] = next.splice(index, 1);
    if (!file) return;
    next.splice(index + by, 0, file);
    onChange(next);
  };

  return (
    <div className="grid min-w-0 grid-cols-1 gap-3">
      <ol aria-label="Compose files, in -f order" className="grid min-w-0 grid-cols-1 gap-1">
        {files.map((file, index) => {
          const count = problemCounts.get(file.path) ?? 0;
          const selected = file.id === selectedId;
          if (renaming === file.id) {
            return (
              <li key={file.id} className="rounded-md border p-2">
                <PathForm
                  label={`Rename ${file.path}`}
                  initial={file.path}
                  files={files}
                  selfId={file.id}
                  submitLabel="Rename"
                  onSubmit={(path) => {
                    onChange(
                      files.map((other) =>
                        other.id === file.id ? { ...other, path } : other,
                      ),
                    );
                    setRenaming(null);
                  }}
                  onCancel={() => setRenaming(null)}
                />
              </li>
            );
          }
          return (
            <li
              key={file.id}
              className={cn(
                "group flex items-start gap-1 rounded-md",
                selected && "bg-accent",
              )}
            >
              <button
                type="button"
                onClick={() => onSelect(file.id)}
                aria-current={selected ? "true" : undefined}
                className="flex min-w-0 flex-1 items-start gap-2 rounded-md px-2 py-1.5 text-left text-sm outline-none hover:bg-accent focus-visible:ring-[3px] focus-visible:ring-ring/50"
              >
                <span className="w-4 shrink-0 text-right text-xs leading-4 text-muted-foreground tabular-nums">
                  {index + 1}
                </span>
                <FileIcon
                  aria-hidden
                  className="size-4 shrink-0 text-muted-foreground"
                />
                {/* Wrapped, not truncated: files often differ only at the end of their paths. */}
                <span className="min-w-0 flex-1 font-mono text-xs [overflow-wrap:anywhere]">
                  <BreakablePath path={file.path} />
                </span>
                {count > 0 ? (
                  <span className="rounded-full bg-destructive/10 px-1.5 text-xs font-medium text-destructive tabular-nums">
                    {count}
                    <span className="sr-only">
                      {" "}
                      problem{count === 1 ? "" : "s"}
                    </span>
                  </span>
                ) : null}
              </button>
              {readOnly ? null : (
                <DropdownMenu>
                  <DropdownMenuTrigger asChild>
                    <Button
                      variant="ghost"
                      size="icon-sm"
                      aria-label={`Actions for ${file.path}`}
                      className="size-7 shrink-0"
                    >
                      <MoreHorizontalIcon aria-hidden />
                    </Button>
                  </DropdownMenuTrigger>
                  <DropdownMenuContent align="end">
                    <DropdownMenuItem onSelect={() => setRenaming(file.id)}>
                      <PencilIcon aria-hidden />
                      Rename
                    </DropdownMenuItem>
                    <DropdownMenuItem
                      disabled={index === 0}
                      onSelect={() => move(index, -1)}
                    >
                      <ArrowUpIcon aria-hidden />
                      Move up
                    </DropdownMenuItem>
                    <DropdownMenuItem
                      disabled={index === files.length - 1}
                      onSelect={() => move(index, 1)}
                    >
                      <ArrowDownIcon aria-hidden />
                      Move down
                    </DropdownMenuItem>
                    <DropdownMenuSeparator />
                    <DropdownMenuItem
                      variant="destructive"
                      disabled={files.length === 1}
                      onSelect={() => {
                        const next = files.filter(
                          (other) => other.id !== file.id,
                        );
                        onChange(
                          next,
                          selected
                            ? next[Math.max(0, index - 1)]?.id
                            : undefined,
                        );
                      }}
                    >
                      <Trash2Icon aria-hidden />
                      Remove
                    </DropdownMenuItem>
                  </DropdownMenuContent>
                </DropdownMenu>
              )}
            </li>
          );
        })}
      </ol>
      {readOnly ? null : (
        <PathForm
          label="Add a file (relative path)"
          initial=""
          files={files}
          submitLabel={
            <>
              <PlusIcon aria-hidden />
              Add
            </>
          }
          onSubmit={(path) => {
            const file = { id: newId("file"), path, content: "services:\n" };
            onChange([...files, file], file.id);
          }}
        />
      )}
    </div>
  );
}
