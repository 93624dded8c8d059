import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";

import { VOLUME_FILE_DOWNLOAD_LIMIT_BYTES, VOLUME_FILE_VIEW_LIMIT_BYTES, type VolumeFileEntry, volumePath } from "@wharf/agent-protocol";
import type Docker from "dockerode";
import { z } from "zod";

import { isoFromUnixSeconds, parseDockerResponse } from "../docker/client";
import { readTar } from "../docker/tar-reader";
import { AgentFailure } from "../failure";
import type { CallHandler, HandlerContext } from "./context";

/*
 * A volume is read through a helper container that mounts it read-only and is
 * never started: Docker's archive API reads a created container's mounts. The
 * helper's image is one Wharf makes on the host itself (no registry needed, no
 * image of the user's trusted): a single marker file, so nothing runs and a
 * path that resolves outside the volume finds nothing of the host.
 */
export const VOLUME_READER_IMAGE = "wharf/volume-reader:1";
export const VOLUME_READER_LABEL = "com.wharf.helper";
const LABEL_VALUE = "volume-reader";
const MOUNT = "/volume";
const MARKER = "wharf-volume-reader";
/** A helper older than this was left by a crash (each lives for one call): removed by the next one. */
const STALE_HELPER_MS = 10 * 60_000;
/** Bytes of the archive a page may read past its first entry before it stops early (the archive carries every file's content). */
const BROWSE_BYTE_BUDGET = 256 * 1024 * 1024;

// Go's os.FileMode type bits, as Docker's path stat reports them.
const MODE_DIR = 2 ** 31;
const MODE_SYMLINK = 2 ** 27;
/** Device, named pipe, socket, character device, irregular. */
const MODE_SPECIAL = [2 ** 26, 2 ** 25, 2 ** 24, 2 ** 21, 2 ** 19];

const pathStat = z.object({ name: z.string(), size: z.number(), mode: z.number(), mtime: z.string(), linkTarget: z.string() });
type PathStat = z.infer<typeof pathStat>;

/** A one-file ustar archive: what `docker import` makes the helper image from. */
function markerArchive(): Buffer {
  const body = Buffer.from("Wharf reads volumes through containers of this image; they are never started.\n");
  const header = Buffer.alloc(512);
  header.write(MARKER, 0);
  header.write("0000444\0", 100);
  header.write("0000000\0", 108);
  header.write("0000000\0", 116);
  header.write(`${body.length.toString(8).padStart(11, "0")}\0`, 124);
  header.write("00000000000\0", 136);
  header.write("        ", 148);
  header.write("0", 156);
  header.write("ustar\0", 257);
  header.write("00", 263);
  const checksum = header.reduce((sum, byte) => sum + byte, 0);
  header.write(`${checksum.toString(8).padStart(6, "0")}\0 `, 148);
  return Buffer.concat([header, body, Buffer.alloc(512 - body.length), Buffer.alloc(1024)]);
}

async function ensureReaderImage(docker: Docker, ctx: HandlerContext): Promise<void> {
  const present = await docker
    .getImage(VOLUME_READER_IMAGE)
    .inspect()
    .then(() => true)
    .catch(() => false);
  if (present) return;
  const [repo = "", tag = ""] = VOLUME_READER_IMAGE.split(":");
  const progress = (await docker.importImage(Readable.from([markerArchive()]), { repo, tag, changes: [`LABEL ${VOLUME_READER_LABEL}=${LABEL_VALUE}`] }));
  for await (const line of progress) {
    const message = /"error(?:Detail)?"\s*:\s*(?:\{"message":)?"([^"]*)"/.exec(String(line));
    if (message) throw new AgentFailure("INTERNAL", `could not create the volume reader image ${VOLUME_READER_IMAGE}: ${message[1]}`);
  }
  ctx.log.info("volume reader image created", { image: VOLUME_READER_IMAGE });
}

/** Removes helpers a crashed call left behind. */
async function sweepStaleReaders(docker: Docker, ctx: HandlerContext): Promise<void> {
  const helpers = parseDockerResponse(
    z.array(z.object({ Id: z.string(), Created: z.number() })),
    await docker.listContainers({ all: true, filters: { label: [`${VOLUME_READER_LABEL}=${LABEL_VALUE}`] }, abortSignal: ctx.signal }),
    "container list",
  );
  const stale = helpers.filter((helper) => Date.now() - helper.Created * 1000 > STALE_HELPER_MS);
  await Promise.all(stale.map((helper) => docker.getContainer(helper.Id).remove({ force: true }).catch(() => undefined)));
}

/** Runs `read` against a fresh helper mounting `volume` read-only at MOUNT, then removes the helper. */
async function withVolumeReader<T>(volume: string, ctx: HandlerContext, read: (helper: Docker.Container) => Promise<T>): Promise<T> {
  const { docker } = ctx;
  // Mounting a missing volume would create it: it must exist first.
  const exists = await docker
    .getVolume(volume)
    .inspect({ abortSignal: ctx.signal })
    .then(() => true)
    .catch(() => false);
  if (!exists) throw new AgentFailure("NOT_FOUND", `no volume named ${volume} on this host`);
  await ensureReaderImage(docker, ctx);
  await sweepStaleReaders(docker, ctx);
  const helper = await docker.createContainer({
    name: `wharf-volume-reader-${randomBytes(6).toString("hex")}`,
    Image: VOLUME_READER_IMAGE,
    Cmd: [`/${MARKER}`],
    Labels: { [VOLUME_READER_LABEL]: LABEL_VALUE, "com.wharf.volume": volume },
    NetworkDisabled: true,
    HostConfig: { NetworkMode: "none", Mounts: [{ Type: "volume", Source: volume, Target: MOUNT, ReadOnly: true }] },
  });
  try {
    return await read(helper);
  } finally {
    // Not tied to the call's signal: the helper goes even when the caller left.
    await helper.remove({ force: true }).catch((error: unknown) => ctx.log.warn("volume reader not removed", { container: helper.id, error: String(error) }));
  }
}

/** The contract already refuses "." and ".."; checked again here because the path reaches Docker. */
function containerPath(path: string): string {
  const checked = volumePath.parse(path);
  return checked === "" ? MOUNT : `${MOUNT}/${checked}`;
}

async function statPath(helper: Docker.Container, volume: string, path: string, ctx: HandlerContext): Promise<PathStat> {
  try {
    const response = (await helper.infoArchive({ path: containerPath(path), abortSignal: ctx.signal })) as { headers?: Record<string, string | undefined> };
    const header = response.headers?.["x-docker-container-path-stat"];
    if (!header) throw new AgentFailure("INTERNAL", "Docker did not describe the path (no X-Docker-Container-Path-Stat header)");
    return parseDockerResponse(pathStat, JSON.parse(Buffer.from(header, "base64").toString("utf8")), "path stat");
  } catch (error) {
    if (typeof error === "object" && error !== null && "statusCode" in error && error.statusCode === 404) {
      throw new AgentFailure("NOT_FOUND", `nothing at /${path} in volume ${volume}`);
    }
    throw error;
  }
}

function describeStat(stat: PathStat, volume: string, path: string): { kind: "directory" | "file" | "symlink" | "other"; refusal: (want: "directory" | "file") => AgentFailure } {
  const kind = hasBit(stat.mode, MODE_DIR) ? "directory" : hasBit(stat.mode, MODE_SYMLINK) ? "symlink" : MODE_SPECIAL.some((bit) => hasBit(stat.mode, bit)) ? "other" : "file";
  return {
    kind,
    refusal: (want) => {
      const what = kind === "symlink" ? `a symbolic link to ${stat.linkTarget}` : kind === "directory" ? "a directory" : kind === "file" ? "a file" : "not a regular file";
      const hint = want === "directory" ? (kind === "file" ? ": view or download it instead" : "") : kind === "directory" ? ": browse it instead" : "";
      return new AgentFailure("BAD_REQUEST", `/${path} in volume ${volume} is ${what}${hint}`);
    },
  };
}

/** JS bitwise operators work on 32-bit signed integers: bit 31 is tested by division. */
function hasBit(mode: number, bit: number): boolean {
  return Math.floor(mode / bit) % 2 === 1;
}

async function* counted(source: AsyncIterable<Buffer>, tally: { bytes: number }): AsyncGenerator<Buffer> {
  for await (const chunk of source) {
    tally.bytes += chunk.length;
    yield chunk;
  }
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export const browseVolume: CallHandler<"browseVolume"> = async (params, ctx) =>
  withVolumeReader(params.name, ctx, async (helper) => {
    const stat = await statPath(helper, params.name, params.path, ctx);
    const { kind, refusal } = describeStat(stat, params.name, params.path);
    if (kind !== "directory") throw refusal("directory");
    const archive = (await helper.getArchive({ path: containerPath(params.path), abortSignal: ctx.signal })) as Readable;
    const tally = { bytes: 0 };
    const entries: VolumeFileEntry[] = [];
    let nextAfter: string | null = null;
    let budgetFrom: number | null = null;
    try {
      // The archive holds the whole tree in name order (Docker walks it with
      // Go's filepath.Walk), each child followed by what lies beneath it: a page
      // ends at the first child past `limit`, without reading the rest.
      for await (const entry of readTar(Readable.from(counted(archive, tally)))) {
        const relative = entry.path.split("/").slice(1);
        const child = relative[0];
        if (child === undefined) continue;
        if (params.after !== undefined && byteOrder(child, params.after) <= 0) continue;
        if (relative.length === 1) {
          if (entries.length === params.limit) {
            nextAfter = entries.at(-1)?.name ?? null;
            break;
          }
          entries.push({
            name: child,
            type: entry.type,
            sizeBytes: entry.type === "file" ? entry.size : 0,
            modifiedAt: entry.mtime > 0 ? isoFromUnixSeconds(entry.mtime) : null,
            mode: entry.mode & 0o777,
            linkTarget: entry.type === "symlink" ? entry.linkTarget : null,
          });
          budgetFrom ??= tally.bytes;
        } else {
          const parent = entries.at(-1);
          if (parent?.name === child && parent.sizeBytes !== null && entry.type === "file") parent.sizeBytes += entry.size;
        }
        if (budgetFrom !== null && tally.bytes - budgetFrom > BROWSE_BYTE_BUDGET) {
          const last = entries.at(-1);
          if (last?.type === "directory") last.sizeBytes = null;
          nextAfter = last?.name ?? null;
          break;
        }
      }
    } finally {
      archive.destroy();
    }
    return { path: volumePath.parse(params.path), entries, nextAfter };
  });

function isUtf8Text(bytes: Buffer, truncated: boolean): boolean {
  if (bytes.includes(0)) return false;
  // A cut may split the last character: up to 3 bytes at the end are left out of the check.
  for (let cut = 0; cut <= (truncated ? 3 : 0); cut++) {
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, bytes.length - cut));
      return true;
    } catch {
      // try a shorter prefix
    }
  }
  return false;
}

export const readVolumeFile: CallHandler<"readVolumeFile"> = async (params, ctx) =>
  withVolumeReader(params.name, ctx, async (helper) => {
    const stat = await statPath(helper, params.name, params.path, ctx);
    const { kind, refusal } = describeStat(stat, params.name, params.path);
    if (kind !== "file") throw refusal("file");
    if (params.purpose === "download" && stat.size > VOLUME_FILE_DOWNLOAD_LIMIT_BYTES) {
      throw new AgentFailure(
        "BAD_REQUEST",
        `/${params.path} is ${stat.size} bytes, more than the ${VOLUME_FILE_DOWNLOAD_LIMIT_BYTES / 1024 / 1024} MiB a download carries: copy it from the host with docker cp`,
      );
    }
    const limit = params.purpose === "view" ? VOLUME_FILE_VIEW_LIMIT_BYTES : VOLUME_FILE_DOWNLOAD_LIMIT_BYTES;
    const archive = (await helper.getArchive({ path: containerPath(params.path), abortSignal: ctx.signal })) as Readable;
    let content: Buffer | null = null;
    let size = stat.size;
    try {
      for await (const entry of readTar(archive)) {
        // The file may have changed since the stat: the archive's header is what was read.
        size = entry.size;
        content = await entry.readBody(limit);
        break;
      }
    } finally {
      archive.destroy();
    }
    if (!content) throw new AgentFailure("NOT_FOUND", `/${params.path} vanished from volume ${params.name} while being read`);
    const truncated = size > content.length;
    return {
      path: volumePath.parse(params.path),
      sizeBytes: size,
      modifiedAt: Number.isNaN(Date.parse(stat.mtime)) ? null : new Date(stat.mtime).toISOString(),
      contentBase64: content.toString("base64"),
      truncated,
      binary: !isUtf8Text(content, truncated),
    };
  });
