import "./globals.css";

import type { Metadata, Viewport } from "next";
import type { ReactNode } from "react";

import { FocusModality } from "~/components/focus-modality";
import { Toaster } from "~/components/ui/sonner";
import { TooltipProvider } from "~/components/ui/tooltip";
import { TRPCReactProvider } from "~/trpc/react";

export const metadata: Metadata = {
  title: { default: "Wharf", template: "%s · Wharf" },
  description: "A control plane for your Docker hosts.",
};

export const viewport: Viewport = {
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#ffffff" },
    { media: "(prefers-color-scheme: dark)", color: "#0a0a0a" },
  ],
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-dvh">
        <TRPCReactProvider>
          <TooltipProvider delayDuration={300}>{children}</TooltipProvider>
        </TRPCReactProvider>
        <Toaster position="bottom-right" />
        <FocusModality />
      </body>
    </html>
  );
}
