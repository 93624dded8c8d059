"use client";

import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { yaml } from "@codemirror/lang-yaml";
import { bracketMatching, foldGutter, HighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import { type Diagnostic, lintGutter, setDiagnostics } from "@codemirror/lint";
import { highlightSelectionMatches, searchKeymap } from "@codemirror/search";
import { Compartment, EditorState, type Extension } from "@codemirror/state";
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, highlightSpecialChars, keymap, lineNumbers } from "@codemirror/view";
import { tags } from "@lezer/highlight";
import { useEffect, useRef } from "react";

import { cn } from "~/lib/utils";

export interface EditorProblem {
  /** 1-based; null for a problem of the file as a whole (shown on line 1). */
  line: number | null;
  message: string;
  severity?: "error" | "warning";
}

/** Follows the app's palette (CSS variables), so light and dark both read well. */
const wharfTheme = EditorView.theme({
  "&": {
    backgroundColor: "var(--card)",
    color: "var(--card-foreground)",
    fontSize: "13px",
  },
  "&.cm-focused": { outline: "none" },
  ".cm-scroller": { fontFamily: "var(--font-mono)", lineHeight: "1.55" },
  ".cm-gutters": {
    backgroundColor: "var(--muted)",
    color: "var(--muted-foreground)",
    borderRight: "1px solid var(--border)",
  },
  ".cm-activeLine": {
    backgroundColor: "color-mix(in oklch, var(--accent) 60%, transparent)",
  },
  ".cm-activeLineGutter": {
    backgroundColor: "var(--accent)",
    color: "var(--foreground)",
  },
  ".cm-content": { caretColor: "var(--foreground)" },
  ".cm-cursor": { borderLeftColor: "var(--foreground)" },
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection": {
    backgroundColor: "color-mix(in oklch, var(--info) 25%, transparent) !important",
  },
  ".cm-tooltip": {
    backgroundColor: "var(--popover)",
    color: "var(--popover-foreground)",
    border: "1px solid var(--border)",
  },
});

/**
 * YAML's colours from the theme's tokens (globals.css): CodeMirror's default
 * style is made for a white page and falls below 4.5:1 in dark mode.
 */
const yamlHighlightStyle = HighlightStyle.define([
  { tag: tags.definition(tags.propertyName), color: "var(--code-key)" },
  { tag: [tags.string, tags.special(tags.string), tags.attributeValue], color: "var(--code-string)" },
  { tag: [tags.keyword, tags.labelName, tags.typeName], color: "var(--code-keyword)" },
  { tag: [tags.comment, tags.meta], color: "var(--code-comment)" },
  { tag: tags.invalid, color: "var(--destructive)" },
]);

const labelled = (label: string): Extension => EditorView.contentAttributes.of({ "aria-label": label });

const sharedExtensions: Extension[] = [
  lineNumbers(),
  foldGutter(),
  highlightSpecialChars(),
  drawSelection(),
  highlightActiveLineGutter(),
  syntaxHighlighting(yamlHighlightStyle),
  bracketMatching(),
  highlightSelectionMatches(),
  yaml(),
  wharfTheme,
];

/** The extensions every editor and diff view shares: YAML, line numbers, folding, the theme, an accessible name. */
export function baseExtensions(label: string): Extension[] {
  return [sharedExtensions, labelled(label)];
}

function toDiagnostics(state: EditorState, problems: readonly EditorProblem[]): Diagnostic[] {
  return problems.map((problem) => {
    const line = state.doc.line(Math.min(Math.max(problem.line ?? 1, 1), state.doc.lines));
    return {
      from: line.from,
      to: line.to,
      severity: problem.severity ?? "error",
      message: problem.message,
    };
  });
}

/**
 * A CodeMirror 6 YAML editor. The document is owned by CodeMirror: `value`
 * seeds it and replaces it only when it changes from outside (e.g. a reload);
 * give it a `key` per file so each file keeps its own undo history.
 */
export function CodeEditor({
  value,
  onChange,
  onSave,
  readOnly = false,
  problems = [],
  label,
  className,
}: {
  value: string;
  onChange?: (value: string) => void;
  /** Ctrl/Cmd+S inside the editor; the key event is marked handled, so outer shortcuts can skip it. */
  onSave?: () => void;
  readOnly?: boolean;
  problems?: readonly EditorProblem[];
  /** Accessible name of the editing area. */
  label: string;
  className?: string;
}) {
  const parentRef = useRef<HTMLDivElement>(null);
  const viewRef = useRef<EditorView | null>(null);
  const callbacks = useRef({ onChange, onSave });
  const readOnlyCompartment = useRef(new Compartment());
  const labelCompartment = useRef(new Compartment());
  const initial = useRef({ value, readOnly, label });

  useEffect(() => {
    callbacks.current = { onChange, onSave };
  }, [onChange, onSave]);

  useEffect(() => {
    const parent = parentRef.current;
    if (!parent) return;
    const { value: doc, readOnly: startReadOnly, label: startLabel } = initial.current;
    const view = new EditorView({
      parent,
      state: EditorState.create({
        doc,
        extensions: [
          sharedExtensions,
          labelCompartment.current.of(labelled(startLabel)),
          history(),
          indentOnInput(),
          highlightActiveLine(),
          lintGutter(),
          keymap.of([
            {
              key: "Mod-s",
              // Handled (and the browser's "save page" prevented) only when there is something to save.
              run: () => {
                const save = callbacks.current.onSave;
                save?.();
                return Boolean(save);
              },
            },
            ...defaultKeymap,
            ...historyKeymap,
            ...searchKeymap,
            // Escape, then Tab, leaves the editor (CodeMirror's documented keyboard escape hatch).
            indentWithTab,
          ]),
          readOnlyCompartment.current.of([EditorState.readOnly.of(startReadOnly), EditorView.editable.of(!startReadOnly)]),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) callbacks.current.onChange?.(update.state.doc.toString());
          }),
        ],
      }),
    });
    viewRef.current = view;
    return () => {
      view.destroy();
      viewRef.current = null;
    };
  }, []);

  useEffect(() => {
    const view = viewRef.current;
    if (!view || view.state.doc.toString() === value) return;
    view.dispatch({
      changes: { from: 0, to: view.state.doc.length, insert: value },
    });
  }, [value]);

  useEffect(() => {
    viewRef.current?.dispatch({
      effects: readOnlyCompartment.current.reconfigure([EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)]),
    });
  }, [readOnly]);

  useEffect(() => {
    viewRef.current?.dispatch({ effects: labelCompartment.current.reconfigure(labelled(label)) });
  }, [label]);

  useEffect(() => {
    const view = viewRef.current;
    if (view) view.dispatch(setDiagnostics(view.state, toDiagnostics(view.state, problems)));
  }, [problems, value]);

  // CodeMirror's own focus outline is off (see the theme): the frame shows focus, as an input's border and ring do.
  return (
    <div
      ref={parentRef}
      className={cn(
        "overflow-hidden rounded-lg border transition-[box-shadow] focus-within:border-ring focus-within:ring-[3px] focus-within:ring-ring/50 [&_.cm-editor]:h-full [&_.cm-scroller]:overflow-auto",
        className,
      )}
    />
  );
}
