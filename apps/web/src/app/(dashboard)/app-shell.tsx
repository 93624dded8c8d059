"use client";

import { type Permission, roleCan } from "@wharf/api/permissions";
import { ChevronsUpDownIcon, KeyRoundIcon, KeySquareIcon, LayersIcon, LogOutIcon, type LucideIcon, MessageSquareIcon, PackageIcon, PlusIcon, ScrollTextIcon, ServerIcon, ShieldAlertIcon, ShieldCheckIcon, UserRoundIcon, UsersIcon, WebhookIcon } from "lucide-react";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { signOut } from "next-auth/react";
import { type ReactNode, useState } from "react";

import { Logo } from "~/components/logo";
import { useMe } from "~/components/me-context";
import { Badge } from "~/components/ui/badge";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuRadioGroup,
  DropdownMenuRadioItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "~/components/ui/dropdown-menu";
import { activateTeam } from "~/lib/team";
import { cn } from "~/lib/utils";
import type { RouterOutputs } from "~/trpc/react";

import { CreateTeamDialog } from "./create-team-dialog";

type Team = RouterOutputs["team"]["list"][number];

const NAV: { href: string; label: string; icon: LucideIcon; permission: Permission }[] = [
  { href: "/hosts", label: "Hosts", icon: ServerIcon, permission: "host:read" },
  { href: "/stacks", label: "Stacks", icon: LayersIcon, permission: "stack:read" },
  { href: "/keys", label: "SSH keys", icon: KeyRoundIcon, permission: "credential:read" },
  { href: "/tokens", label: "API tokens", icon: KeySquareIcon, permission: "token:manage" },
  { href: "/registries", label: "Registries", icon: PackageIcon, permission: "registry:read" },
  { href: "/approvals", label: "Approvals", icon: ShieldCheckIcon, permission: "stack:read" },
  { href: "/guardrails", label: "Guardrails", icon: ShieldAlertIcon, permission: "stack:read" },
  { href: "/webhooks", label: "Webhooks", icon: WebhookIcon, permission: "webhook:manage" },
  { href: "/chat", label: "Chat app", icon: MessageSquareIcon, permission: "chat:manage" },
  { href: "/audit", label: "Audit log", icon: ScrollTextIcon, permission: "audit:read" },
  { href: "/team", label: "Members", icon: UsersIcon, permission: "team:read" },
];

const roleLabel = (role: string): string => role.charAt(0) + role.slice(1).toLowerCase();

function NavLinks({ className }: { className?: string }) {
  const pathname = usePathname();
  const { team } = useMe();
  return (
    <nav aria-label="Main" className={className}>
      <ul className="flex gap-1 md:flex-col">
        {NAV.filter((item) => roleCan(team.role, item.permission)).map(({ href, label, icon: Icon }) => {
          const active = pathname === href || pathname.startsWith(`${href}/`);
          return (
            <li key={href}>
              <Link
                href={href}
                aria-current={active ? "page" : undefined}
                className={cn(
                  "flex items-center gap-2.5 rounded-md px-2.5 py-1.5 text-sm font-medium text-muted-foreground outline-none transition-colors hover:bg-accent hover:text-foreground focus-visible:ring-[3px] focus-visible:ring-ring/50",
                  active && "bg-accent text-foreground",
                )}
              >
                <Icon aria-hidden className="size-4" />
                {label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}

function switchTeam(teamId: string): void {
  activateTeam(teamId);
}

function UserMenu({ teams, compact = false }: { teams: Team[]; compact?: boolean }) {
  const { user, team } = useMe();
  const [creating, setCreating] = useState(false);
  const initials = user.name
    .split(/\s+/)
    .map((part) => part.charAt(0))
    .join("")
    .slice(0, 2)
    .toUpperCase();
  return (
    <DropdownMenu>
      <DropdownMenuTrigger
        // The name must contain what the button shows (the user's name and email), so it is not replaced by a label.
        aria-label={compact ? `Account menu for ${user.name}` : undefined}
        className="flex w-full items-center gap-2.5 rounded-md p-1.5 text-left outline-none hover:bg-accent focus-visible:ring-[3px] focus-visible:ring-ring/50"
      >
        <span
          aria-hidden
          className="flex size-8 shrink-0 items-center justify-center rounded-full bg-primary text-xs font-semibold text-primary-foreground"
        >
          {initials || "?"}
        </span>
        {compact ? null : (
          <>
            <span className="grid min-w-0 flex-1 leading-tight">
              <span className="sr-only">Account menu for </span>
              <span className="truncate text-sm font-medium">{user.name}</span>{" "}
              <span className="truncate text-xs text-muted-foreground">{user.email}</span>
            </span>
            <ChevronsUpDownIcon aria-hidden className="size-4 text-muted-foreground" />
          </>
        )}
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" side={compact ? "bottom" : "top"} className="w-60">
        <DropdownMenuLabel className="grid font-normal">
          <span className="font-medium">{user.name}</span>
          <span className="text-xs text-muted-foreground">{user.email}</span>
        </DropdownMenuLabel>
        <DropdownMenuSeparator />
        <DropdownMenuLabel className="text-xs text-muted-foreground">Teams</DropdownMenuLabel>
        <DropdownMenuRadioGroup value={team.id} onValueChange={switchTeam}>
          {teams.map((option) => (
            <DropdownMenuRadioItem key={option.id} value={option.id}>
              <span className="truncate">{option.name}</span>
              <span className="ml-auto text-xs text-muted-foreground">{roleLabel(option.role)}</span>
            </DropdownMenuRadioItem>
          ))}
        </DropdownMenuRadioGroup>
        <DropdownMenuItem onSelect={() => setCreating(true)}>
          <PlusIcon aria-hidden />
          Create a team
        </DropdownMenuItem>
        <DropdownMenuSeparator />
        <DropdownMenuItem asChild>
          <Link href="/profile">
            <UserRoundIcon aria-hidden />
            Profile and security
          </Link>
        </DropdownMenuItem>
        <DropdownMenuItem onSelect={() => void signOut({ callbackUrl: "/signin" })}>
          <LogOutIcon aria-hidden />
          Sign out
        </DropdownMenuItem>
      </DropdownMenuContent>
      {/* Outside the menu's content, so it stays open once the menu closes. */}
      <CreateTeamDialog open={creating} onOpenChange={setCreating} onCreated={switchTeam} />
    </DropdownMenu>
  );
}

function TeamBadge() {
  const { team } = useMe();
  return (
    <div className="flex min-w-0 items-center gap-2">
      <span className="truncate text-sm font-medium" title={team.name}>
        {team.name}
      </span>
      <Badge variant="secondary" className="font-normal">
        {roleLabel(team.role)}
      </Badge>
    </div>
  );
}

export function AppShell({ teams, children }: { teams: Team[]; children: ReactNode }) {
  return (
    <div className="flex min-h-dvh">
      <a
        href="#main"
        className="sr-only z-50 rounded-md bg-background px-3 py-2 text-sm font-medium shadow focus:not-sr-only focus:fixed focus:top-3 focus:left-3 focus:ring-[3px] focus:ring-ring/50"
      >
        Skip to content
      </a>
      <aside className="sticky top-0 hidden h-dvh w-60 shrink-0 flex-col border-r border-sidebar-border bg-sidebar md:flex">
        <div className="grid gap-3 px-4 pt-4 pb-3">
          <Link href="/hosts" className="w-fit rounded-md outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50">
            <Logo />
          </Link>
          <TeamBadge />
        </div>
        <NavLinks className="px-2 py-2" />
        <div className="mt-auto border-t border-sidebar-border p-2">
          <UserMenu teams={teams} />
        </div>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex flex-wrap items-center gap-x-4 gap-y-2 border-b px-4 py-2 md:hidden">
          <Link href="/hosts" className="rounded-md outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50">
            <Logo />
          </Link>
          <TeamBadge />
          <div className="ml-auto">
            <UserMenu teams={teams} compact />
          </div>
          <NavLinks className="w-full" />
        </header>
        <main id="main" tabIndex={-1} className="mx-auto w-full max-w-6xl flex-1 px-4 py-8 outline-none sm:px-8">
          {children}
        </main>
      </div>
    </div>
  );
}
