import { createTwoFilesPatch } from "diff";
import { parse } from "yaml";

import type { StackLimits } from "./limits-override";

/** The parts of a revision an approver compares; secret values never enter it, only their names. */
export interface ComparedContent {
  number: number;
  files: { path: string; content: string }[];
  envNames: string[];
  limits: StackLimits;
}

export type Change = "added" | "removed" | "modified";

export interface HostDiff {
  hostId: string;
  hostName: string;
  /** The revision running there now; null when nothing runs. */
  running: number | null;
  /** The revision the action leaves running; null for down. */
  requested: number | null;
  files: { path: string; change: Change; patch: string }[];
  env: { key: string; change: Exclude<Change, "modified"> }[];
  limits: { service: string; change: Change }[];
  images: { service: string; from: string | null; to: string | null }[];
}

/** Each service's `image:` as the files set it, later files over earlier ones (compose's merge order). */
export function imagesOf(files: { content: string }[]): Record<string, string> {
  const images: Record<string, string> = {};
  for (const file of files) {
    let document: unknown;
    try {
      document = parse(file.content);
    } catch {
      continue;
    }
    const services = (document as { services?: unknown } | null)?.services;
    if (typeof services !== "object" || services === null) continue;
    for (const [name, service] of Object.entries(services as Record<string, unknown>)) {
      const image = (service as { image?: unknown } | null)?.image;
      if (typeof image === "string") images[name] = image;
    }
  }
  return images;
}

function changeOf<T>(from: T | undefined, to: T | undefined, same: (a: T, b: T) => boolean): Change | null {
  if (from === undefined) return to === undefined ? null : "added";
  if (to === undefined) return "removed";
  return same(from, to) ? null : "modified";
}

const union = (a: string[], b: string[]) => [...new Set([...a, ...b])].sort();

/** What would change on a host: files (with patches), variable names, limits by service, images by service. */
export function diffForHost(host: { id: string; name: string }, running: ComparedContent | null, requested: ComparedContent | null): HostDiff {
  const fromFiles = running?.files ?? [];
  const toFiles = requested?.files ?? [];
  const files = union(fromFiles.map((f) => f.path), toFiles.map((f) => f.path)).flatMap((path) => {
    const a = fromFiles.find((f) => f.path === path)?.content;
    const b = toFiles.find((f) => f.path === path)?.content;
    const change = changeOf(a, b, (x, y) => x === y);
    return change ? [{ path, change, patch: createTwoFilesPatch(`a/${path}`, `b/${path}`, a ?? "", b ?? "", "running", "requested") }] : [];
  });
  const fromEnv = running?.envNames ?? [];
  const toEnv = requested?.envNames ?? [];
  const env = union(fromEnv, toEnv).flatMap((key) => {
    if (fromEnv.includes(key) && toEnv.includes(key)) return [];
    return [{ key, change: fromEnv.includes(key) ? ("removed" as const) : ("added" as const) }];
  });
  const fromLimits = running?.limits ?? {};
  const toLimits = requested?.limits ?? {};
  const limits = union(Object.keys(fromLimits), Object.keys(toLimits)).flatMap((service) => {
    const change = changeOf(fromLimits[service], toLimits[service], (x, y) => JSON.stringify(x) === JSON.stringify(y));
    return change ? [{ service, change }] : [];
  });
  const fromImages = imagesOf(fromFiles);
  const toImages = imagesOf(toFiles);
  const images = union(Object.keys(fromImages), Object.keys(toImages)).flatMap((service) => {
    const from = fromImages[service] ?? null;
    const to = toImages[service] ?? null;
    return from === to ? [] : [{ service, from, to }];
  });
  return { hostId: host.id, hostName: host.name, running: running?.number ?? null, requested: requested?.number ?? null, files, env, limits, images };
}
