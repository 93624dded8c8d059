import { ServerOffIcon } from "lucide-react";
import Link from "next/link";

import { EmptyState } from "~/components/empty-state";
import { Button } from "~/components/ui/button";

export default function HostNotFound() {
  return (
    <EmptyState
      heading="h1"
      icon={ServerOffIcon}
      title="This host does not exist"
      description="It may have been removed, or it belongs to another team."
      action={
        <Button asChild variant="outline">
          <Link href="/hosts">Back to hosts</Link>
        </Button>
      }
    />
  );
}
