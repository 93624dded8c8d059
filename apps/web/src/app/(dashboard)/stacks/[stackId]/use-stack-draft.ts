import type { Problem } from "@wharf/api/errors";
import { checkStackFiles } from "@wharf/api/lib/compose-files";
import { useEffect, useMemo, useState } from "react";

import { useHydrated } from "~/components/use-hydrated";

import { clearDraft, loadDraft, saveDraft } from "./draft-storage";
import {
  draftFingerprint,
  draftFromRevision,
  type StackDetail,
  type StackDraft,
} from "./stack-draft";

export interface StackDraftState {
  draft: StackDraft;
  update: (change: (draft: StackDraft) => StackDraft) => void;
  dirty: boolean;
  /** The revision the draft started from (0 before the first save): sent as saveRevision's baseRevision. */
  base: number;
  /** After a save: the draft is now that revision. */
  markSaved: (number: number) => void;
  /** Back to the latest revision, dropping the edits. */
  discard: () => void;
  /** Problems the browser finds (YAML, unknown keys, paths), as the server's first check does. */
  localProblems: Problem[];
  /** Services the files define, sorted. */
  services: string[];
  /** Problems the server reported on the last save or check, cleared per file when it is edited. */
  serverProblems: Problem[];
  setServerProblems: (problems: Problem[]) => void;
}

interface State {
  base: number;
  initial: string;
  draft: StackDraft;
  serverProblems: Problem[];
  /** Saved as this revision: reload the draft from it once it arrives (new secrets then show as set, their values gone). */
  reloadAt: number | null;
  /** The draft kept in this browser was looked for (after mount: storage is not there on the server). */
  restored: boolean;
}

function fresh(stack: StackDetail | null, previous?: StackDraft): State {
  const draft = draftFromRevision(stack?.latestRevision ?? null, previous);
  return {
    base: stack?.latestRevision?.number ?? 0,
    initial: draftFingerprint(draft),
    draft,
    serverProblems: [],
    reloadAt: null,
    restored: true,
  };
}

/**
 * The Files tab's edits, kept above the tabs so switching tabs keeps them.
 * A revision saved elsewhere replaces an untouched draft; an edited one is
 * kept (saving it then reports the conflict).
 */
export function useStackDraft(stack: StackDetail | null, storageKey: string): StackDraftState {
  const [state, setState] = useState<State>(() => ({ ...fresh(stack), restored: false }));
  const latest = stack?.latestRevision?.number ?? 0;
  const dirty = draftFingerprint(state.draft) !== state.initial;
  // Adjusting state to new props during render (React's documented pattern), not in an effect.
  if (stack && (latest !== state.base || latest === state.reloadAt) && !dirty) setState({ ...fresh(stack, state.draft), restored: state.restored });

  // Once hydrated (storage exists only in the browser) and the stack is known, take up the draft this
  // browser kept; an edit of an older revision keeps that base, so saving it reports the conflict.
  const hydrated = useHydrated();
  if (hydrated && stack && !state.restored) {
    const kept = loadDraft(storageKey);
    setState({ ...state, restored: true, ...(kept ? { base: kept.base, draft: kept.draft } : {}) });
  }
  useEffect(() => {
    if (!state.restored) return;
    if (dirty) saveDraft(storageKey, state.base, state.draft);
    else clearDraft(storageKey);
  }, [dirty, state.restored, state.base, state.draft, storageKey]);

  const files = state.draft.files;
  const checked = useMemo(
    () =>
      checkStackFiles(files.map(({ path, content }) => ({ path, content }))),
    [files],
  );

  return {
    draft: state.draft,
    update: (change) =>
      setState((previous) => {
        const draft = change(previous.draft);
        // A file edited since the server's check: its old line numbers no longer hold.
        const edited = new Set(
          draft.files
            .filter(
              (file) =>
                previous.draft.files.find((old) => old.id === file.id)
                  ?.content !== file.content,
            )
            .map((file) => file.path),
        );
        const serverProblems = previous.serverProblems.filter(
          (problem) => !problem.file || !edited.has(problem.file),
        );
        return { ...previous, draft, serverProblems };
      }),
    dirty,
    base: state.base,
    markSaved: (number) =>
      setState((previous) => ({
        ...previous,
        base: number,
        initial: draftFingerprint(previous.draft),
        serverProblems: [],
      })),
    discard: () => setState(fresh(stack)),
    localProblems: checked.problems,
    services: checked.services,
    serverProblems: state.serverProblems,
    setServerProblems: (serverProblems) =>
      setState((previous) => ({ ...previous, serverProblems })),
  };
}
