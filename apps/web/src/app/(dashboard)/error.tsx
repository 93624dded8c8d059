"use client";

import { AlertTriangleIcon } from "lucide-react";

import { EmptyState } from "~/components/empty-state";
import { Button } from "~/components/ui/button";

export default function DashboardError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <EmptyState
      heading="h1"
      icon={AlertTriangleIcon}
      title="This page failed to load"
      // Production builds hide server error details; the digest finds them in the server log.
      description={error.digest ? `The server logged the details under ${error.digest}.` : error.message}
      action={
        <Button variant="outline" onClick={reset}>
          Try again
        </Button>
      }
    />
  );
}
