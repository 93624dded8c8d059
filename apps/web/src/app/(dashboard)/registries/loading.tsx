import { TablePageSkeleton } from "~/components/page-skeleton";

export default function Loading() {
  return <TablePageSkeleton rows={3} />;
}
