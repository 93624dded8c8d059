"use client";

import { useQuery } from "@tanstack/react-query";
import { HammerIcon, TerminalIcon } from "lucide-react";
import { useState } from "react";

import { CopyButton } from "~/components/copy-button";
import { type ColumnDef, DataTable } from "~/components/data-table";
import { actionLabel, DeploymentStatusBadge } from "~/components/deployment-status-badge";
import { EmptyState } from "~/components/empty-state";
import { ErrorAlert } from "~/components/error-alert";
import { RelativeTime } from "~/components/relative-time";
import { Button } from "~/components/ui/button";
import { jobDuration, jobSeconds, shortId } from "~/lib/format";
import { type RouterOutputs, useTRPC } from "~/trpc/react";

import { JobOutputDialog } from "./job-output-dialog";

type Build = RouterOutputs["deployment"]["builds"][number];

/** What the build built: the services it pushed or was asked for, the Dockerfile of a Dockerfile build, else every service with a build section. */
function builtWhat(build: Build): string {
  const options = (build.options ?? {}) as { services?: string[]; dockerfile?: string; tag?: string };
  if (build.action === "BUILD_FILE") return `${options.dockerfile ?? "Dockerfile"} → ${options.tag ?? "?"}`;
  const services = build.images.flatMap((image) => (image.service ? [image.service] : []));
  if (services.length > 0) return services.join(", ");
  return options.services?.join(", ") ?? "all with a build section";
}

/** The images as text, for the filter: ids, tags, pushed references and digests. */
function imagesText(build: Build): string {
  return build.images.map((image) => [image.id ?? "", ...image.names, image.pushed?.reference ?? "", image.pushed?.digest ?? ""].join(" ")).join(" ");
}

function Images({ build }: { build: Build }) {
  if (build.images.length === 0) return <span className="text-muted-foreground">—</span>;
  return (
    <ul className="grid min-w-56 gap-1 text-xs">
      {build.images.map((image, index) => (
        <li key={`${image.id ?? ""}-${index}`} className="grid gap-0.5">
          <span className="font-mono [overflow-wrap:anywhere]">
            {image.service ? <span className="font-sans font-medium">{image.service}: </span> : null}
            {image.pushed?.reference ?? image.names[0] ?? "untagged"}
          </span>
          <span className="flex flex-wrap items-center gap-1.5 text-muted-foreground">
            {image.id ? <span className="font-mono">id {shortId(image.id)}</span> : null}
            {image.pushed ? (
              <>
                <span className="font-mono" title={image.pushed.digest}>
                  digest {image.pushed.digest.slice(0, 19)}…
                </span>
                <CopyButton value={`${image.pushed.reference.replace(/:[^:/]+$/, "")}@${image.pushed.digest}`} label={`Copy the pinned reference of ${image.pushed.reference}`} />
              </>
            ) : build.action === "BUILD_PUSH" ? (
              <span className="text-destructive">not pushed</span>
            ) : null}
          </span>
        </li>
      ))}
    </ul>
  );
}

function buildColumns(open: (build: Build) => void): ColumnDef<Build>[] {
  return [
    {
      id: "result",
      accessorFn: (build) => `${actionLabel(build.action)} ${build.status.toLowerCase()} ${build.error ?? ""}`,
      header: "Build",
      cell: ({ row }) => (
        <div className="grid gap-0.5">
          <DeploymentStatusBadge status={row.original.status} action={row.original.action} />
          {row.original.error ? (
            <span className="max-w-72 truncate text-xs text-destructive" title={row.original.error}>
              {row.original.error}
            </span>
          ) : null}
          {/* In the first column, so the way to the log stays in view however wide the images are. */}
          <Button size="sm" variant="ghost" className="w-fit" onClick={() => open(row.original)} aria-label={`Output of the ${actionLabel(row.original.action).toLowerCase()} on ${row.original.host.name}`}>
            <TerminalIcon aria-hidden />
            Output
          </Button>
        </div>
      ),
    },
    { id: "when", accessorFn: (build) => build.createdAt.getTime(), header: "When", enableGlobalFilter: false, cell: ({ row }) => <RelativeTime value={row.original.createdAt} /> },
    {
      id: "by",
      accessorFn: (build) => build.requestedByLabel,
      header: "By",
      cell: ({ getValue }) => (
        <span className="block max-w-36 truncate" title={String(getValue())}>
          {String(getValue())}
        </span>
      ),
    },
    { id: "host", accessorFn: (build) => build.host.name, header: "Host", cell: ({ getValue }) => <span className="font-medium">{String(getValue())}</span> },
    { id: "what", accessorFn: builtWhat, header: "Services", cell: ({ getValue }) => <span className="text-sm [overflow-wrap:anywhere]">{String(getValue())}</span> },
    {
      id: "duration",
      accessorFn: (build) => jobSeconds(build) ?? -1,
      header: "Duration",
      enableGlobalFilter: false,
      cell: ({ row }) => <span className="tabular-nums">{jobDuration(row.original) ?? "—"}</span>,
    },
    { id: "images", accessorFn: imagesText, header: "Images", enableSorting: false, cell: ({ row }) => <Images build={row.original} /> },
  ];
}

/** The stack's builds (build, build and push, Dockerfile build) with what each wrote and pushed, and each one's full output. */
export function BuildsTable({ stackId }: { stackId: string }) {
  const trpc = useTRPC();
  const query = useQuery(trpc.deployment.builds.queryOptions({ stackId }, { refetchInterval: 5_000 }));
  const [open, setOpen] = useState<Build | null>(null);

  return (
    <section aria-labelledby="builds-heading" className="grid min-w-0 grid-cols-1 gap-3">
      <h3 id="builds-heading" className="font-semibold">
        Builds
      </h3>
      <DataTable
        label="Builds"
        columns={buildColumns(setOpen)}
        data={query.data}
        isLoading={query.isPending}
        getRowId={(build) => build.id}
        initialSorting={[{ id: "when", desc: true }]}
        pageSize={10}
        error={query.error ? <ErrorAlert error={query.error} /> : null}
        empty={<EmptyState icon={HammerIcon} title="No builds yet" description="Build, Build and push and Dockerfile builds from the Deploy tab show up here with the images they wrote." />}
      />
      <JobOutputDialog job={open} onClose={() => setOpen(null)} />
    </section>
  );
}
