import { LayersIcon } from "lucide-react";
import Link from "next/link";

import { EmptyState } from "~/components/empty-state";
import { Button } from "~/components/ui/button";

export default function StackNotFound() {
  return (
    <EmptyState
      heading="h1"
      icon={LayersIcon}
      title="This stack does not exist"
      description="It may have been removed, or it belongs to another team."
      action={
        <Button asChild variant="outline">
          <Link href="/stacks">Back to stacks</Link>
        </Button>
      }
    />
  );
}
