"use client";

import { useMutation, useQueries } from "@tanstack/react-query";
import type { Problem } from "@wharf/api/errors";
import { AlertCircleIcon, CheckCircle2Icon, FolderIcon, GaugeIcon, type LucideIcon, SaveIcon, ServerCogIcon, UndoIcon, VariableIcon } from "lucide-react";
import { type KeyboardEvent, useEffect, useEffectEvent, useMemo, useRef, useState } from "react";
import { toast } from "sonner";

import { CodeEditor, type EditorProblem } from "~/components/code-editor";
import { useCan } from "~/components/me-context";
import { Spinner } from "~/components/spinner";
import { Alert, AlertDescription, AlertTitle } from "~/components/ui/alert";
import { Button } from "~/components/ui/button";
import { errorMessage, errorProblems } from "~/lib/errors";
import { cn } from "~/lib/utils";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

import { FileList } from "./file-list";
import { FolderEditor } from "./folder-editor";
import { LimitsEditor } from "./limits-editor";
import { OverlaysEditor } from "./overlays-editor";
import { SaveRevisionDialog } from "./save-revision-dialog";
import { draftToInput, type StackDetail } from "./stack-draft";
import { TargetHostSelect } from "./target-host-select";
import type { StackDraftState } from "./use-stack-draft";
import { VariablesEditor } from "./variables-editor";

/** Typing pause after which compose on the host checks the draft. */
const AUTO_CHECK_DELAY_MS = 1_200;

type Section = { kind: "file"; id: string } | { kind: "folder" } | { kind: "variables" } | { kind: "limits" } | { kind: "overlays" };

function SectionButton({ icon: Icon, label, detail, active, onClick }: { icon: LucideIcon; label: string; detail?: string; active: boolean; onClick: () => void }) {
  return (
    <button
      type="button"
      onClick={onClick}
      aria-current={active ? "true" : undefined}
      className={cn(
        "flex w-full items-center gap-2 rounded-md px-2 py-1.5 text-left text-sm outline-none hover:bg-accent focus-visible:ring-[3px] focus-visible:ring-ring/50",
        active && "bg-accent",
      )}
    >
      <Icon aria-hidden className="size-4 text-muted-foreground" />
      <span className="flex-1">{label}</span>
      {detail ? <span className="text-xs text-muted-foreground tabular-nums">{detail}</span> : null}
    </button>
  );
}

/** Where a problem points: "docker-compose.yaml line 4", or the field it is about. */
function problemFileIndex(problem: Problem, paths: readonly string[]): number {
  if (problem.file) return paths.indexOf(problem.file);
  return problem.path[0] === "files" && typeof problem.path[1] === "number" ? problem.path[1] : -1;
}

/** What `compose config` found, on its file and line. */
function configProblems(result: RouterOutputs["stack"]["previewDraft"]): Problem[] {
  if (result.ok) return [];
  const { message, file, line } = result.problem;
  return [{ path: [], message, ...(file ? { file } : {}), ...(line ? { line } : {}) }];
}

/** What the preflight refused, worded as a deploy's refusal is. */
function preflightProblems(result: RouterOutputs["stack"]["checkDraft"]): Problem[] {
  if (result.ok) return [];
  return result.problems.length > 0 ? result.problems : [{ path: [], message: result.message }];
}

export function FilesTab({ stack, draft }: { stack: StackDetail; draft: StackDraftState }) {
  const trpc = useTRPC();
  const canWrite = useCan("stack:write");
  const readOnly = !canWrite;
  const [section, setSection] = useState<Section>(() => ({ kind: "file", id: draft.draft.files[0]?.id ?? "" }));
  const [limitService, setLimitService] = useState<string | null>(null);
  // What each target's last facts say it can grant: the limits form warns as you type.
  const targetFacts = useQueries({ queries: stack.targets.map((target) => trpc.host.byId.queryOptions({ hostId: target.host.id }, { staleTime: 60_000 })) });
  const targetCapabilities = stack.targets.map((target, index) => ({ hostName: target.host.name, capabilities: targetFacts[index]?.data?.facts?.capabilities ?? null }));
  const [saving, setSaving] = useState(false);
  const [checkHost, setCheckHost] = useState(stack.targets[0]?.host.id ?? "");
  const configCheck = useMutation(trpc.stack.previewDraft.mutationOptions());
  const check = useMutation(trpc.stack.checkDraft.mutationOptions());
  /** The last check that passed, for the current text: compose config only (as you type) or a deploy's whole preflight (the button). */
  const [passed, setPassed] = useState<{ preflight: boolean; hostName: string } | null>(null);

  const { files, variables, limits } = draft.draft;
  const { input, limitErrors } = useMemo(() => draftToInput(draft.draft), [draft.draft]);
  const problems = useMemo(() => [...draft.localProblems, ...draft.serverProblems], [draft.localProblems, draft.serverProblems]);
  const paths = files.map((file) => file.path);
  const problemCounts = useMemo(() => {
    const counts = new Map<string, number>();
    for (const problem of problems) {
      const path = paths[problemFileIndex(problem, paths)];
      if (path !== undefined) counts.set(path, (counts.get(path) ?? 0) + 1);
    }
    return counts;
  }, [problems, paths]);
  const limitProblemCount = Object.values(limitErrors).reduce((sum, errors) => sum + Object.keys(errors).length, 0);
  const selectedFile = section.kind === "file" ? (files.find((file) => file.id === section.id) ?? files[0]) : undefined;
  const fileProblems = useMemo<EditorProblem[]>(() => {
    if (!selectedFile) return [];
    const index = files.indexOf(selectedFile);
    return problems.filter((problem) => problemFileIndex(problem, paths) === index).map((problem) => ({ line: problem.line ?? null, message: problem.message }));
  }, [problems, selectedFile, files, paths]);

  const blocking = draft.localProblems.length + limitProblemCount;
  const openSave = (): void => {
    if (readOnly) return;
    if (!draft.dirty && draft.base > 0) {
      toast.info(`Nothing changed since revision ${draft.base}.`);
      return;
    }
    if (blocking > 0) {
      toast.error(`Fix ${blocking} problem${blocking === 1 ? "" : "s"} before saving.`);
      return;
    }
    setSaving(true);
  };

  const onKeyDown = (event: KeyboardEvent): void => {
    // Ctrl/Cmd+S anywhere in the tab; an editor that handled it already marked the event.
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s" && !event.defaultPrevented) {
      event.preventDefault();
      openSave();
    }
  };

  const fingerprint = useMemo(() => JSON.stringify(input), [input]);
  const currentFingerprint = useRef(fingerprint);
  useEffect(() => {
    currentFingerprint.current = fingerprint;
  }, [fingerprint]);

  /**
   * As you type (quiet): `compose config` on the chosen host, its verdict on the whole compose spec with file and line.
   * The button: the preflight a deploy runs there, which also tries the limits, images and build contexts on the host.
   */
  const runCheck = async ({ quiet = false } = {}): Promise<void> => {
    const host = stack.targets.find((target) => target.host.id === checkHost)?.host;
    if (!host) return;
    if (!quiet) draft.setServerProblems([]);
    setPassed(null);
    const checked = fingerprint;
    const request = { stackId: stack.id, hostId: host.id, ...input };
    try {
      const found = quiet ? configProblems(await configCheck.mutateAsync(request)) : preflightProblems(await check.mutateAsync(request));
      // Edited while compose ran: that verdict is about text no longer there.
      if (currentFingerprint.current !== checked) return;
      draft.setServerProblems(found);
      if (found.length > 0) return;
      setPassed({ preflight: !quiet, hostName: host.name });
      if (!quiet) toast.success(`Preflight passed on ${host.name}: compose accepts these files and the host grants what they ask for`);
    } catch (error) {
      if (currentFingerprint.current !== checked) return;
      const located = errorProblems(error);
      draft.setServerProblems(located.length > 0 ? located : [{ path: [], message: errorMessage(error) }]);
    }
  };

  // As the user types: once the files parse here and typing pauses, compose on the host checks them against
  // the full compose spec (unknown keys, wrong types, bad references), and its errors land on their file and line.
  const autoCheck = useEffectEvent(() => void runCheck({ quiet: true }));
  const canAutoCheck = !readOnly && draft.dirty && blocking === 0 && checkHost !== "";
  useEffect(() => {
    if (!canAutoCheck) return;
    const timer = setTimeout(autoCheck, AUTO_CHECK_DELAY_MS);
    return () => clearTimeout(timer);
  }, [canAutoCheck, fingerprint, checkHost]);

  const jumpTo = (problem: Problem): void => {
    const file = files[problemFileIndex(problem, paths)];
    if (file) setSection({ kind: "file", id: file.id });
    else if (problem.path[0] === "limits") setSection({ kind: "limits" });
    else if (problem.path[0] === "env" || problem.path[0] === "secrets") setSection({ kind: "variables" });
  };

  return (
    <div className="grid gap-4" onKeyDown={onKeyDown}>
      <div className="flex flex-wrap items-center gap-2">
        <p className="mr-auto text-sm text-muted-foreground" aria-live="polite">
          {draft.base === 0 ? "New stack: nothing saved yet." : `Editing revision #${draft.base}.`}{" "}
          {draft.dirty ? <span className="font-medium text-warning">Unsaved changes.</span> : null}
        </p>
        {!readOnly && draft.dirty && draft.base > 0 ? (
          <Button variant="ghost" size="sm" onClick={draft.discard}>
            <UndoIcon aria-hidden />
            Discard changes
          </Button>
        ) : null}
        {!readOnly && stack.targets.length > 0 ? (
          <div className="flex items-center gap-1.5">
            {stack.targets.length > 1 ? (
              <TargetHostSelect aria-label="Host to check on" targets={stack.targets} value={checkHost} onValueChange={setCheckHost} className="h-8 w-36 text-xs" />
            ) : null}
            <Button variant="outline" size="sm" onClick={() => void runCheck()} disabled={check.isPending || draft.localProblems.length > 0}>
              {check.isPending ? <Spinner /> : <ServerCogIcon aria-hidden />}
              Check on {stack.targets.find((target) => target.host.id === checkHost)?.host.name ?? "host"}
            </Button>
          </div>
        ) : null}
        {readOnly ? null : (
          <Button size="sm" onClick={openSave} aria-keyshortcuts="Control+S Meta+S">
            <SaveIcon aria-hidden />
            Save revision
          </Button>
        )}
      </div>

      {problems.length > 0 || limitProblemCount > 0 ? (
        <Alert variant="destructive">
          <AlertCircleIcon aria-hidden />
          <AlertTitle>
            {problems.length + limitProblemCount === 1 ? "1 problem to fix" : `${problems.length + limitProblemCount} problems to fix`} before saving or deploying
          </AlertTitle>
          <AlertDescription>
            <ul className="grid gap-0.5">
              {problems.slice(0, 8).map((problem, index) => (
                <li key={index}>
                  <button type="button" onClick={() => jumpTo(problem)} className="text-left underline-offset-4 hover:underline focus-visible:underline focus-visible:outline-none">
                    {problem.message}
                  </button>
                </li>
              ))}
              {limitProblemCount > 0 ? (
                <li>
                  <button type="button" onClick={() => setSection({ kind: "limits" })} className="text-left underline-offset-4 hover:underline">
                    Runtime limits: {limitProblemCount} field{limitProblemCount === 1 ? "" : "s"} to fix
                  </button>
                </li>
              ) : null}
              {problems.length > 8 ? <li>…and {problems.length - 8} more</li> : null}
            </ul>
          </AlertDescription>
        </Alert>
      ) : draft.serverProblems.length === 0 && passed ? (
        <Alert variant="success">
          <CheckCircle2Icon aria-hidden />
          <AlertDescription>
            {passed.preflight
              ? `Preflight passed on ${passed.hostName}: compose accepted these files, and the host grants their limits and has or can get their images.`
              : `compose config accepted these files on ${passed.hostName}. Check on ${passed.hostName} also tries their limits and images there, as a deploy does.`}
          </AlertDescription>
        </Alert>
      ) : null}

      <div className="grid items-start gap-4 lg:grid-cols-[18rem_minmax(0,1fr)]">
        <nav aria-label="Stack contents" className="grid min-w-0 grid-cols-1 gap-4 rounded-xl border bg-card p-3">
          <div className="grid min-w-0 grid-cols-1 gap-2">
            <h3 className="px-1 text-xs font-medium tracking-wide text-muted-foreground uppercase">Compose files</h3>
            <FileList
              files={files}
              selectedId={section.kind === "file" ? (selectedFile?.id ?? null) : null}
              problemCounts={problemCounts}
              readOnly={readOnly}
              onSelect={(id) => setSection({ kind: "file", id })}
              onChange={(next, select) => {
                draft.update((current) => ({ ...current, files: next }));
                if (select) setSection({ kind: "file", id: select });
              }}
            />
          </div>
          <div className="grid gap-1 border-t pt-3">
            <SectionButton
              icon={FolderIcon}
              label="Folder"
              detail={draft.draft.folder.length ? String(draft.draft.folder.length) : undefined}
              active={section.kind === "folder"}
              onClick={() => setSection({ kind: "folder" })}
            />
            <SectionButton
              icon={VariableIcon}
              label="Variables"
              detail={variables.length ? String(variables.length) : undefined}
              active={section.kind === "variables"}
              onClick={() => setSection({ kind: "variables" })}
            />
            <SectionButton
              icon={GaugeIcon}
              label="Runtime limits"
              detail={Object.keys(input.limits).length ? `${Object.keys(input.limits).length} service${Object.keys(input.limits).length === 1 ? "" : "s"}` : undefined}
              active={section.kind === "limits"}
              onClick={() => setSection({ kind: "limits" })}
            />
            <SectionButton
              icon={ServerCogIcon}
              label="Host overlays"
              detail={stack.targets.filter((target) => target.overlay).length ? String(stack.targets.filter((target) => target.overlay).length) : undefined}
              active={section.kind === "overlays"}
              onClick={() => setSection({ kind: "overlays" })}
            />
          </div>
        </nav>

        <div className="min-w-0">
          {section.kind === "file" && selectedFile ? (
            <div className="grid gap-2">
              <div className="flex items-baseline justify-between gap-2">
                <h3 className="min-w-0 font-mono text-sm font-medium [overflow-wrap:anywhere]">{selectedFile.path}</h3>
                <p className="shrink-0 text-xs text-muted-foreground">
                  File {files.indexOf(selectedFile) + 1} of {files.length} in <code className="font-mono">-f</code> order
                </p>
              </div>
              <CodeEditor
                key={selectedFile.id}
                value={selectedFile.content}
                onChange={(content) =>
                  draft.update((current) => ({ ...current, files: current.files.map((file) => (file.id === selectedFile.id ? { ...file, content } : file)) }))
                }
                onSave={readOnly ? undefined : openSave}
                readOnly={readOnly}
                problems={fileProblems}
                label={`Contents of ${selectedFile.path}`}
                className="h-[32rem]"
              />
              <p className="text-xs text-muted-foreground">
                {readOnly ? "Read-only: your role cannot change stacks." : "Ctrl+S (⌘S) saves a revision. Escape, then Tab, leaves the editor."}
              </p>
            </div>
          ) : section.kind === "folder" ? (
            <FolderEditor
              stackId={stack.id}
              revision={draft.base}
              folder={draft.draft.folder}
              limits={stack.folderLimits}
              readOnly={readOnly}
              onChange={(next) => draft.update((current) => ({ ...current, folder: next }))}
            />
          ) : section.kind === "variables" ? (
            <VariablesEditor variables={variables} readOnly={readOnly} onChange={(next) => draft.update((current) => ({ ...current, variables: next }))} />
          ) : section.kind === "limits" ? (
            <LimitsEditor
              hosts={targetCapabilities}
              services={draft.services}
              limits={limits}
              errors={limitErrors}
              selected={limitService}
              readOnly={readOnly}
              onSelect={setLimitService}
              onChange={(service, values) =>
                draft.update((current) => {
                  const next = { ...current.limits };
                  if (values) next[service] = values;
                  else delete next[service];
                  return { ...current, limits: next };
                })
              }
            />
          ) : section.kind === "overlays" ? (
            <OverlaysEditor stack={stack} readOnly={readOnly} />
          ) : null}
        </div>
      </div>

      <SaveRevisionDialog stack={stack} draft={draft} input={input} open={saving} onOpenChange={setSaving} />
    </div>
  );
}
