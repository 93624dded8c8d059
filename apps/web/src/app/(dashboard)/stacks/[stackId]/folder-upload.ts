import { gunzipSync, unzipSync } from "fflate";
import { parseTar } from "nanotar";

/** A file read from an upload, its path relative to the stack's folder. */
export interface UploadedFile {
  path: string;
  data: Uint8Array;
  executable: boolean;
}

export const isArchive = (name: string): boolean => /\.(zip|tar|tar\.gz|tgz)$/i.test(name);

/** Reads a .zip, .tar or .tar.gz into its regular files (links, devices and directories are not files a stack can hold). */
export async function readArchive(file: File): Promise<UploadedFile[]> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (/\.zip$/i.test(file.name)) {
    return Object.entries(unzipSync(bytes))
      .filter(([name]) => !name.endsWith("/") && !name.startsWith("__MACOSX/"))
      .map(([name, data]) => ({ path: name, data, executable: false }));
  }
  const tar = /\.(tar\.gz|tgz)$/i.test(file.name) ? gunzipSync(bytes) : bytes;
  return parseTar(tar)
    .filter((item) => (item.type === "file" || item.type === "contiguousFile") && item.data !== undefined)
    .map((item) => ({ path: item.name.replace(/^\.\//, ""), data: item.data ?? new Uint8Array(), executable: (Number.parseInt(item.attrs?.mode ?? "0", 8) & 0o100) !== 0 }));
}

/** A picked or dropped file and its path inside what was picked (a folder's files keep theirs). */
export interface PickedFile {
  file: File;
  path: string;
}

/** Reads picked files; archives are unpacked in place. */
export async function readPicked(picked: PickedFile[]): Promise<UploadedFile[]> {
  const read: UploadedFile[] = [];
  for (const { file, path } of picked) {
    if (isArchive(file.name)) read.push(...(await readArchive(file)));
    else read.push({ path, data: new Uint8Array(await file.arrayBuffer()), executable: false });
  }
  return stripCommonFolder(read);
}

/** The files of a drop, folders walked through the browser's entry API. */
export async function filesFromDrop(items: DataTransferItemList): Promise<PickedFile[]> {
  const entries = [...items].flatMap((item) => {
    const entry = item.webkitGetAsEntry();
    return entry ? [entry] : [];
  });
  const picked: PickedFile[] = [];
  const walk = async (entry: FileSystemEntry, prefix: string): Promise<void> => {
    if (entry.isFile) {
      const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
      picked.push({ file, path: `${prefix}${file.name}` });
      return;
    }
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
      if (batch.length === 0) break;
      for (const child of batch) await walk(child, `${prefix}${entry.name}/`);
    }
  };
  for (const entry of entries) await walk(entry, "");
  return picked;
}

/** An upload of "myapp/..." is the folder's content, not a folder inside it. */
function stripCommonFolder(files: UploadedFile[]): UploadedFile[] {
  const first = files[0]?.path.split("/")[0];
  if (first === undefined || files.some((file) => !file.path.startsWith(`${first}/`))) return files;
  return files.map((file) => ({ ...file, path: file.path.slice(first.length + 1) }));
}

/** Text the editor can show, or null for a binary file (not UTF-8, or holding a NUL byte). */
export function asText(data: Uint8Array): string | null {
  if (data.includes(0)) return null;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(data);
  } catch {
    return null;
  }
}

export function toBase64(data: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < data.length; i += 0x8000) binary += String.fromCharCode(...data.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}
