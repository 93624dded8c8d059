"use client";

import { CheckIcon, CopyIcon } from "lucide-react";
import { useState } from "react";
import { toast } from "sonner";

import { Button, type ButtonProps } from "~/components/ui/button";

/** The Clipboard API exists only in secure contexts; Wharf is often opened over plain http on a LAN. */
async function copyText(text: string): Promise<void> {
  if (window.isSecureContext && navigator.clipboard) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.append(area);
  area.select();
  const copied = document.execCommand("copy");
  area.remove();
  if (!copied) throw new Error("The browser refused to copy.");
}

export function CopyButton({ value, label, children, ...props }: Omit<ButtonProps, "onClick" | "value"> & { value: string; label: string }) {
  const [copied, setCopied] = useState(false);
  const onClick = async (): Promise<void> => {
    try {
      await copyText(value);
      setCopied(true);
      toast.success("Copied to the clipboard");
      setTimeout(() => setCopied(false), 1500);
    } catch {
      toast.error("Could not copy: select the text and copy it by hand.");
    }
  };
  return (
    <Button
      variant="outline"
      size={children ? "sm" : "icon-sm"}
      aria-label={children ? undefined : label}
      title={label}
      onClick={() => void onClick()}
      {...props}
    >
      {copied ? <CheckIcon aria-hidden className="text-success" /> : <CopyIcon aria-hidden />}
      {children}
    </Button>
  );
}
