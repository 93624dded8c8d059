"use client";

import { useEffect } from "react";

/** Marks the page with the kind of the last input (keyboard or pointer); the focus-visible variant in globals.css reads it. */
export function FocusModality() {
  useEffect(() => {
    const root = document.documentElement;
    const keyboard = (): void => {
      root.dataset.modality = "keyboard";
    };
    const pointer = (): void => {
      root.dataset.modality = "pointer";
    };
    document.addEventListener("keydown", keyboard, true);
    document.addEventListener("pointerdown", pointer, true);
    return () => {
      document.removeEventListener("keydown", keyboard, true);
      document.removeEventListener("pointerdown", pointer, true);
      delete root.dataset.modality;
    };
  }, []);
  return null;
}
