import { newId, type StackDraft } from "./stack-draft";

/**
 * Unsaved Files-tab drafts, kept in this browser's localStorage per user and
 * stack so a reload, a navigation or a closed tab does not lose them. Secret
 * values never go there: a secret keeps its name and must be typed again.
 */
interface StoredDraft {
  version: 1;
  base: number;
  draft: StackDraft;
}

export const draftStorageKey = (userId: string, stackId: string): string => `wharf:stack-draft:${userId}:${stackId}`;

export function loadDraft(key: string): { base: number; draft: StackDraft } | null {
  try {
    const stored = JSON.parse(localStorage.getItem(key) ?? "null") as StoredDraft | null;
    if (stored?.version !== 1 || !Array.isArray(stored.draft.files) || !Array.isArray(stored.draft.variables)) return null;
    // Fresh ids: the stored ones came from another page load's counter.
    const draft: StackDraft = {
      ...stored.draft,
      files: stored.draft.files.map((file) => ({ ...file, id: newId("file") })),
      folder: (Array.isArray(stored.draft.folder) ? stored.draft.folder : []).map((file) => ({ ...file, id: newId("folder") })),
      variables: stored.draft.variables.map((variable) => ({ ...variable, id: newId("var") })),
    };
    return { base: stored.base, draft };
  } catch {
    return null;
  }
}

export function saveDraft(key: string, base: number, draft: StackDraft): void {
  const stored: StoredDraft = {
    version: 1,
    base,
    draft: {
      ...draft,
      variables: draft.variables.map((variable) => (variable.secret ? { ...variable, value: "", replacing: false } : variable)),
      // A new secret file's content stays in the page only: it must be uploaded again after a reload.
      folder: draft.folder.map(({ content, ...file }) => (file.secret && content !== undefined ? file : { ...file, ...(content === undefined ? {} : { content }) })),
    },
  };
  try {
    localStorage.setItem(key, JSON.stringify(stored));
  } catch {
    // Storage full or disabled: the draft still lives in the page, and leaving warns.
  }
}

export function clearDraft(key: string): void {
  try {
    localStorage.removeItem(key);
  } catch {
    // Nothing stored then.
  }
}
