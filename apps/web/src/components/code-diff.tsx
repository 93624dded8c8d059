"use client";

import { MergeView, unifiedMergeView } from "@codemirror/merge";
import { EditorState } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { useEffect, useRef } from "react";

import { cn } from "~/lib/utils";

import { baseExtensions } from "./code-editor";

const readOnly = [EditorState.readOnly.of(true), EditorView.editable.of(false)];
// Long unchanged stretches fold away, as `diff -U3` would show them.
const collapseUnchanged = { margin: 3, minSize: 6 };

/** Two versions of a file, side by side (aligned) or unified, read-only. */
export function CodeDiff({
  original,
  modified,
  mode,
  label,
  className,
}: {
  original: string;
  modified: string;
  mode: "split" | "unified";
  label: string;
  className?: string;
}) {
  const parentRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const parent = parentRef.current;
    if (!parent) return;
    if (mode === "split") {
      const view = new MergeView({
        parent,
        a: {
          doc: original,
          extensions: [baseExtensions(`${label}, before`), readOnly],
        },
        b: {
          doc: modified,
          extensions: [baseExtensions(`${label}, after`), readOnly],
        },
        collapseUnchanged,
        gutter: true,
      });
      return () => view.destroy();
    }
    const view = new EditorView({
      parent,
      state: EditorState.create({
        doc: modified,
        extensions: [
          baseExtensions(label),
          readOnly,
          unifiedMergeView({
            original,
            mergeControls: false,
            collapseUnchanged,
          }),
        ],
      }),
    });
    return () => view.destroy();
  }, [original, modified, mode, label]);

  return <div ref={parentRef} className={cn("overflow-auto rounded-lg border bg-card [&_.cm-mergeView]:min-w-0", className)} />;
}
