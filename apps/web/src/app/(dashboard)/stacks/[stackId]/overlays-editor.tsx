"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { checkOverlay } from "@wharf/api/lib/compose-files";
import { SaveIcon } from "lucide-react";
import { useMemo, useState } from "react";
import { toast } from "sonner";

import { CodeEditor, type EditorProblem } from "~/components/code-editor";
import { Spinner } from "~/components/spinner";
import { Button } from "~/components/ui/button";
import { NativeSelect } from "~/components/ui/native-select";
import { errorMessage, errorProblems } from "~/lib/errors";
import { useTRPC } from "~/trpc/react";

import type { StackDetail } from "./stack-draft";

/**
 * One optional compose file per target host, passed after the stack's files
 * there. Overlays are settings of the target, not part of revisions: a saved
 * overlay applies from the next deploy on that host.
 */
export function OverlaysEditor({ stack, readOnly }: { stack: StackDetail; readOnly: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [hostId, setHostId] = useState(stack.targets[0]?.host.id ?? "");
  const [edits, setEdits] = useState<Record<string, string>>({});
  const [serverProblems, setServerProblems] = useState<EditorProblem[]>([]);
  const update = useMutation(trpc.stack.update.mutationOptions());
  const target = stack.targets.find((t) => t.host.id === hostId) ?? stack.targets[0];
  const saved = target?.overlay ?? "";
  const text = target ? (edits[target.host.id] ?? saved) : "";
  const changed = text !== saved;
  const localProblems = useMemo<EditorProblem[]>(
    () => (text.trim() ? checkOverlay(text, ["overlay"]).map((problem) => ({ line: problem.line ?? null, message: problem.message })) : []),
    [text],
  );

  if (!target) {
    return (
      <p className="rounded-lg border border-dashed p-4 text-center text-sm text-muted-foreground">
        This stack targets no host yet: add one with “Edit hosts” above.
      </p>
    );
  }

  const save = async (): Promise<void> => {
    setServerProblems([]);
    try {
      await update.mutateAsync({
        stackId: stack.id,
        targets: stack.targets.map((t) => ({ hostId: t.host.id, overlay: t.host.id === target.host.id ? (text.trim() ? text : null) : t.overlay })),
      });
      await queryClient.invalidateQueries(trpc.stack.byId.queryFilter({ stackId: stack.id }));
      setEdits((previous) => Object.fromEntries(Object.entries(previous).filter(([id]) => id !== target.host.id)));
      toast.success(`Saved the overlay of ${target.host.name}; it applies from the next deploy there.`);
    } catch (error) {
      const problems = errorProblems(error);
      setServerProblems(problems.map((problem) => ({ line: problem.line ?? null, message: problem.message })));
      toast.error(errorMessage(error));
    }
  };

  return (
    <section aria-labelledby="overlays-heading" className="grid gap-4">
      <div className="grid gap-1">
        <h3 id="overlays-heading" className="font-semibold">
          Host overlays
        </h3>
        <p className="text-sm text-muted-foreground">
          A compose file for one host only, passed after the stack&apos;s files (as <code className="font-mono text-xs">wharf.host.yaml</code>), e.g. to
          change a port or a volume path there. Saved with the host, not in revisions; it applies from the next deploy.
        </p>
      </div>
      <div className="flex flex-wrap items-end gap-3">
        <label className="grid gap-1.5 text-sm font-medium">
          Host
          <NativeSelect value={target.host.id} onChange={(event) => setHostId(event.target.value)} className="w-56">
            {stack.targets.map((t) => (
              <option key={t.host.id} value={t.host.id}>
                {t.host.name}
                {t.overlay ? " (has an overlay)" : ""}
              </option>
            ))}
          </NativeSelect>
        </label>
        {readOnly ? null : (
          <Button onClick={() => void save()} disabled={!changed || update.isPending || localProblems.length > 0}>
            {update.isPending ? <Spinner /> : <SaveIcon aria-hidden />}
            Save overlay
          </Button>
        )}
        {changed ? <span className="pb-2 text-xs text-warning">Unsaved overlay changes</span> : null}
      </div>
      <CodeEditor
        key={target.host.id}
        value={text}
        onChange={(value) => setEdits((previous) => ({ ...previous, [target.host.id]: value }))}
        onSave={() => void save()}
        readOnly={readOnly}
        problems={[...localProblems, ...serverProblems]}
        label={`Overlay of ${target.host.name}`}
        className="h-72"
      />
      {text.trim() === "" ? <p className="text-xs text-muted-foreground">Empty: {target.host.name} runs the stack&apos;s files as they are.</p> : null}
    </section>
  );
}
