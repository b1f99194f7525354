/**
 * Writes tar members into an empty directory, refusing anything that could reach outside it:
 * absolute or ".." names, writes through symlinks, links resolving outside, and device files.
 * Modes keep only the permission bits (no setuid/setgid/sticky); owners are not restored.
 */
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

interface DirStamp {
  path: string;
  depth: number;
  mode: number;
  mtime: number;
}

/** Extracts `entries` into `root` (an existing, empty directory). Throws ArchiveError naming `source`. */
export async function extractEntries(
  entries: AsyncIterable<TarEntry>,
  root: string,
  source: string,
): Promise<ExtractSummary> {
  const summary: ExtractSummary = { files: 0, directories: 0, symlinks: new Map() };
  const realDirs = new Set<string>([""]); // member dirs known to be real directories, not links
  const dirStamps = new Map<string, DirStamp>();

  const refuse = (reason: ArchiveErrorReason, entry: TarEntry, detail: string, cause?: unknown): never => {
    throw new ArchiveError(
      source,
      reason,
      detail,
      cause === undefined ? { entry: entry.path } : { entry: entry.path, cause },
    );
  };

  const memberParts = (entry: TarEntry, name: string, what: string): string[] => {
    const split = splitMemberPath(name);
    if (!split.ok)
      return refuse(what === "path" ? "unsafe-path" : "unsafe-link", entry, `${what} ${split.why}`);
    return split.parts;
  };

  // Each ancestor must be a real directory: creating it if missing, refusing if it is a symlink.
  const ensureParents = async (entry: TarEntry, parts: readonly string[]): Promise<void> => {
    for (let i = 1; i < parts.length; i++) {
      const rel = parts.slice(0, i).join("/");
      if (realDirs.has(rel)) continue;
      const abs = join(root, rel);
      const stat = await lstat(abs).catch(() => undefined);
      if (stat?.isSymbolicLink())
        refuse("unsafe-path", entry, `path goes through the symbolic link "${rel}"`);
      if (stat !== undefined && !stat.isDirectory())
        refuse("conflict", entry, `"${rel}" is a file, not a directory`);
      if (stat === undefined) await mkdir(abs);
      realDirs.add(rel);
    }
  };

  // Tar semantics: a later member replaces an earlier one, except that a directory is never replaced.
  const clearSlot = async (entry: TarEntry, rel: string): Promise<void> => {
    const abs = join(root, rel);
    const stat = await lstat(abs).catch(() => undefined);
    if (stat === undefined) return;
    if (stat.isDirectory()) refuse("conflict", entry, "would replace a directory");
    await unlink(abs);
    summary.symlinks.delete(rel);
  };

  for await (const entry of entries) {
    const parts = memberParts(entry, entry.path, "path");
    if (parts.length === 0) continue; // "./": the root itself
    const rel = parts.join("/");
    const abs = join(root, rel);
    try {
      await ensureParents(entry, parts);
      switch (entry.type) {
        case "directory": {
          const stat = await lstat(abs).catch(() => undefined);
          if (stat?.isSymbolicLink() || stat?.isFile()) await clearSlot(entry, rel);
          if (stat === undefined || !stat.isDirectory()) await mkdir(abs);
          realDirs.add(rel);
          // Applied after everything is written: a read-only directory would block its own children.
          dirStamps.set(rel, {
            path: abs,
            depth: parts.length,
            mode: entry.mode & 0o777,
            mtime: entry.mtime,
          });
          summary.directories++;
          break;
        }
        case "file": {
          await clearSlot(entry, rel);
          const fh = await open(abs, "wx", 0o600);
          try {
            for await (const chunk of entry.body) await fh.write(chunk);
            await fh.chmod(entry.mode & 0o777);
          } finally {
            await fh.close();
          }
          await utimes(abs, entry.mtime, entry.mtime);
          summary.files++;
          break;
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
          summary.symlinks.set(rel, target);
          break;
        }
        case "hardlink": {
          const targetParts = memberParts(entry, entry.linkpath, "hardlink target");
          const targetRel = targetParts.join("/");
          if (targetParts.length === 0) refuse("unsafe-link", entry, "hardlink target is the archive root");
          for (let i = 1; i < targetParts.length; i++) {
            if (!realDirs.has(targetParts.slice(0, i).join("/"))) {
              refuse(
                "unsafe-link",
                entry,
                `hardlink target "${entry.linkpath}" is not a file extracted earlier`,
              );
            }
          }
          const stat = await lstat(join(root, targetRel)).catch(() => undefined);
          if (!stat?.isFile()) {
            refuse(
              "unsafe-link",
              entry,
              `hardlink target "${entry.linkpath}" is not a file extracted earlier`,
            );
          }
          if (targetRel !== rel) {
            await clearSlot(entry, rel);
            await link(join(root, targetRel), abs);
          }
          summary.files++;
          break;
        }
        case "char-device":
        case "block-device":
        case "fifo":
          refuse("device", entry, `is a ${entry.type.replace("-", " ")}; special files are not extracted`);
          break;
        default:
          refuse("unsupported", entry, `has unsupported type flag ${JSON.stringify(entry.typeflag)}`);
      }
    } catch (err) {
      if (err instanceof ArchiveError) throw err;
      refuse("io", entry, `could not be written: ${(err as Error).message}`, err);
    }
  }

  // Links created early can be redirected by links created later; check where each one finally lands.
  for (const [rel, target] of summary.symlinks) {
    if (resolveLink(rel.split("/"), target, summary.symlinks) === null) {
      throw new ArchiveError(
        source,
        "unsafe-link",
        `symlink target "${target}" resolves outside the destination (or loops)`,
        {
          entry: rel,
        },
      );
    }
  }

  const deepestFirst = [...dirStamps.values()].sort((a, b) => b.depth - a.depth);
  for (const dir of deepestFirst) {
    await chmod(dir.path, dir.mode);
    await utimes(dir.path, dir.mtime, dir.mtime);
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
