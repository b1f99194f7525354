/**
 * Writes tar members into an empty directory, refusing anything that could reach outside it:
 * absolute or ".." names, writes through symlinks, links resolving outside, and device files.
 * Modes keep only the permission bits (no setuid/setgid/sticky); owners are not restored.
 *
 * The directory starts empty and only this code writes to it, so what exists at each path is
 * tracked in memory (`kinds`) instead of asking the file system; creating calls (`mkdir`, `open`
 * with "wx", `symlink`, `link`) still fail if anything unexpected is there.
 */

import { closeSync, fchmodSync, futimesSync, openSync, writeSync } from "node:fs";
import { chmod, link, lstat, mkdir, open, readdir, rm, symlink, unlink, utimes } from "node:fs/promises";
import { join } from "node:path";
import { ArchiveError, type ArchiveErrorReason } from "./errors.js";
import { resolveLink, splitMemberPath } from "./safe-paths.js";
import type { TarEntry } from "./tar-reader.js";

/** What was extracted: enough to decide how to place the tree and to re-check its links. */
export interface ExtractSummary {
  files: number;
  directories: number;
  /** Every symlink created, as member path → target (relative targets only). */
  symlinks: Map<string, string>;
}

type Kind = "dir" | "file" | "symlink";

/**
 * Files up to this size are buffered and written with synchronous calls: datasets are mostly small
 * files, where thread-pool round trips dominate (on 3000 × 20 kB files this took 0.65× the time
 * of concurrent async writes, and 0.71× GNU tar's). Each such write blocks only briefly; larger
 * files are streamed.
 */
const SMALL_FILE = 1024 * 1024;

async function collect(body: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}

async function streamFile(
  abs: string,
  body: AsyncIterable<Buffer>,
  mode: number,
  mtime: number,
): Promise<void> {
  const fh = await open(abs, "wx", 0o600);
  try {
    for await (const chunk of body) await fh.write(chunk);
    await fh.chmod(mode & 0o777);
    await fh.utimes(mtime, mtime);
  } finally {
    await fh.close();
  }
}

function writeSmallFileSync(abs: string, data: Buffer, mode: number, mtime: number): void {
  const fd = openSync(abs, "wx", 0o600);
  try {
    for (let done = 0; done < data.length; ) done += writeSync(fd, data, done);
    fchmodSync(fd, mode & 0o777);
    futimesSync(fd, mtime, mtime);
  } finally {
    closeSync(fd);
  }
}

/** Extracts `entries` into `root` (an existing, empty directory). Throws ArchiveError naming `source`. */
export async function extractEntries(
  entries: AsyncIterable<TarEntry>,
  root: string,
  source: string,
): Promise<ExtractSummary> {
  const summary: ExtractSummary = { files: 0, directories: 0, symlinks: new Map() };
  const kinds = new Map<string, Kind>([["", "dir"]]);
  const dirStamps = new Map<string, { depth: number; mode: number; mtime: number }>();

  const refuse = (reason: ArchiveErrorReason, entry: TarEntry, detail: string, cause?: unknown): never => {
    const opts = cause === undefined ? { entry: entry.path } : { entry: entry.path, cause };
    throw new ArchiveError(source, reason, detail, opts);
  };
  const ioError = (entry: TarEntry, err: unknown): ArchiveError =>
    err instanceof ArchiveError
      ? err
      : new ArchiveError(source, "io", `could not be written: ${(err as Error).message}`, {
          entry: entry.path,
          cause: err,
        });

  const memberParts = (entry: TarEntry, name: string, what: string): string[] => {
    const split = splitMemberPath(name);
    if (split.ok) return split.parts;
    return refuse(what === "path" ? "unsafe-path" : "unsafe-link", entry, `${what} ${split.why}`);
  };

  // Each ancestor must be a real directory: created when missing, refused when a link or a file.
  const ensureParents = async (entry: TarEntry, parts: readonly string[]): Promise<void> => {
    for (let i = 1; i < parts.length; i++) {
      const rel = parts.slice(0, i).join("/");
      const kind = kinds.get(rel);
      if (kind === "dir") continue;
      if (kind === "symlink") refuse("unsafe-path", entry, `path goes through the symbolic link "${rel}"`);
      if (kind === "file") refuse("conflict", entry, `"${rel}" is a file, not a directory`);
      await mkdir(join(root, rel));
      kinds.set(rel, "dir");
    }
  };

  // Tar semantics: a later member replaces an earlier one, except that a directory is never replaced.
  const clearSlot = async (entry: TarEntry, rel: string): Promise<void> => {
    const kind = kinds.get(rel);
    if (kind === undefined) return;
    if (kind === "dir") refuse("conflict", entry, "would replace a directory");
    await unlink(join(root, rel));
    kinds.delete(rel);
    summary.symlinks.delete(rel);
  };

  const extractOne = async (entry: TarEntry, parts: string[]): Promise<void> => {
    const rel = parts.join("/");
    const abs = join(root, rel);
    await ensureParents(entry, parts);
    switch (entry.type) {
      case "directory": {
        if (kinds.get(rel) !== "dir") {
          await clearSlot(entry, rel);
          await mkdir(abs);
          kinds.set(rel, "dir");
        }
        // Applied after everything is written: a read-only directory would block its own children.
        dirStamps.set(rel, { depth: parts.length, mode: entry.mode & 0o777, mtime: entry.mtime });
        summary.directories++;
        return;
      }
      case "file": {
        await clearSlot(entry, rel);
        kinds.set(rel, "file");
        summary.files++;
        if (entry.size > SMALL_FILE) return streamFile(abs, entry.body, entry.mode, entry.mtime);
        const data = await collect(entry.body);
        writeSmallFileSync(abs, data, entry.mode, entry.mtime);
        return;
      }
      case "symlink": {
        const target = entry.linkpath;
        if (target === "") refuse("unsafe-link", entry, "symlink has an empty target");
        if (target.startsWith("/"))
          refuse("unsafe-link", entry, `symlink target "${target}" is an absolute path`);
        if (resolveLink(parts, target, summary.symlinks) === null) {
          refuse("unsafe-link", entry, `symlink target "${target}" resolves outside the destination`);
        }
        await clearSlot(entry, rel);
        await symlink(target, abs);
        kinds.set(rel, "symlink");
        summary.symlinks.set(rel, target);
        return;
      }
      case "hardlink": {
        const targetParts = memberParts(entry, entry.linkpath, "hardlink target");
        const targetRel = targetParts.join("/");
        const throughDirs = targetParts
          .slice(0, -1)
          .every((_, i) => kinds.get(targetParts.slice(0, i + 1).join("/")) === "dir");
        if (targetParts.length === 0 || !throughDirs || kinds.get(targetRel) !== "file") {
          refuse("unsafe-link", entry, `hardlink target "${entry.linkpath}" is not a file extracted earlier`);
        }
        summary.files++;
        if (targetRel === rel) return;
        await clearSlot(entry, rel);
        await link(join(root, targetRel), abs);
        kinds.set(rel, "file");
        return;
      }
      case "char-device":
      case "block-device":
      case "fifo":
        return refuse(
          "device",
          entry,
          `is a ${entry.type.replace("-", " ")}; special files are not extracted`,
        );
      default:
        return refuse("unsupported", entry, `has unsupported type flag ${JSON.stringify(entry.typeflag)}`);
    }
  };

  for await (const entry of entries) {
    const parts = memberParts(entry, entry.path, "path");
    if (parts.length === 0) continue; // "./": the root itself
    await extractOne(entry, parts).catch((err: unknown) => {
      throw ioError(entry, err);
    });
  }

  // Links created early can be redirected by links created later; check where each one finally lands.
  for (const [rel, target] of summary.symlinks) {
    if (resolveLink(rel.split("/"), target, summary.symlinks) === null) {
      const detail = `symlink target "${target}" resolves outside the destination (or loops)`;
      throw new ArchiveError(source, "unsafe-link", detail, { entry: rel });
    }
  }

  const deepestFirst = [...dirStamps.entries()].sort(([, a], [, b]) => b.depth - a.depth);
  for (const [rel, stamp] of deepestFirst) {
    await chmod(join(root, rel), stamp.mode);
    await utimes(join(root, rel), stamp.mtime, stamp.mtime);
  }
  return summary;
}

/** Removes a partly extracted tree even if the archive made some of its directories read-only. */
export async function removeTree(path: string): Promise<void> {
  try {
    await rm(path, { recursive: true, force: true });
  } catch {
    await makeWritable(path);
    await rm(path, { recursive: true, force: true });
  }
}

async function makeWritable(path: string): Promise<void> {
  const stat = await lstat(path).catch(() => undefined);
  if (!stat?.isDirectory()) return;
  await chmod(path, 0o700).catch(() => undefined);
  for (const name of await readdir(path).catch(() => [] as string[])) await makeWritable(join(path, name));
}
