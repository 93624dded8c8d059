import { AuthCardSkeleton } from "../auth-card-skeleton";

export default function Loading() {
  return <AuthCardSkeleton fields={4} />;
}
