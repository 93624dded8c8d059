"use client";

import { useQuery } from "@tanstack/react-query";
import { ShieldCheckIcon } from "lucide-react";
import { useId, useState } from "react";

import { ApprovalRequestCard } from "~/components/approval-request-card";
import { EmptyState } from "~/components/empty-state";
import { ErrorAlert } from "~/components/error-alert";
import { PageHeader } from "~/components/page-header";
import { NativeSelect } from "~/components/ui/native-select";
import { useTRPC } from "~/trpc/react";

const FILTERS = [
  { value: "PENDING", label: "Waiting for approval" },
  { value: "APPROVED", label: "Approved" },
  { value: "REJECTED", label: "Rejected" },
  { value: "EXPIRED", label: "Expired" },
  { value: "", label: "All" },
] as const;
type Filter = (typeof FILTERS)[number]["value"];

export function ApprovalsView() {
  const trpc = useTRPC();
  const filterId = useId();
  const [filter, setFilter] = useState<Filter>("PENDING");
  const requests = useQuery(trpc.approval.list.queryOptions(filter ? { status: filter } : {}));

  return (
    <div className="grid gap-6">
      <PageHeader
        title="Approvals"
        description="Deploys, redeploys, rollbacks and downs in protected environments wait here until another member approves them."
        actions={
          <div className="flex items-center gap-2">
            <label htmlFor={filterId} className="text-sm text-muted-foreground">
              Show
            </label>
            <NativeSelect id={filterId} value={filter} onChange={(event) => setFilter(event.target.value as Filter)}>
              {FILTERS.map((f) => (
                <option key={f.value} value={f.value}>
                  {f.label}
                </option>
              ))}
            </NativeSelect>
          </div>
        }
      />
      <ErrorAlert error={requests.error} title="The requests could not be loaded" />
      {requests.isSuccess && requests.data.length === 0 ? (
        <EmptyState icon={ShieldCheckIcon} title="No request here" description="Protect an environment under Guardrails; deploys there are then listed here until approved." />
      ) : null}
      <div className="grid gap-4">
        {requests.data?.map((request) => (
          <ApprovalRequestCard key={request.id} request={request} />
        ))}
      </div>
    </div>
  );
}
