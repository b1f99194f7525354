/**
 * Extracts a .tar / .tar.gz / .tgz file into a folder atomically: everything is written into a
 * hidden temporary folder beside the destination, checked, and only then renamed into place.
 * Any failure removes the temporary folder, so the destination either appears complete or not at all.
 */
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, mkdir, open, readdir, rename, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { ArchiveError } from "./errors.js";
import { type ExtractSummary, extractEntries, removeTree } from "./extract-entries.js";
import { resolveLink } from "./safe-paths.js";
import { readTar } from "./tar-reader.js";

/** Options of {@link extractArchive}. */
export interface ExtractArchiveOptions {
  /** Replace an existing destination (the old one is kept if extraction fails). Default false. */
  force?: boolean;
  /** Name used in error messages instead of the file path (untarData passes the URL). */
  source?: string;
}

type Compression = "gzip" | "none";

const UNSUPPORTED_MAGIC: Array<[string, number[]]> = [
  ["zip", [0x50, 0x4b, 0x03, 0x04]],
  ["bzip2", [0x42, 0x5a, 0x68]],
  ["xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ["zstd", [0x28, 0xb5, 0x2f, 0xfd]],
];

async function sniff(file: string, source: string): Promise<Compression> {
  const fh = await open(file, "r").catch((err: Error) => {
    throw new ArchiveError(source, "io", `cannot open ${file}: ${err.message}`, { cause: err });
  });
  try {
    const head = Buffer.alloc(8);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return "gzip";
    for (const [kind, magic] of UNSUPPORTED_MAGIC) {
      if (magic.every((byte, i) => head[i] === byte)) {
        throw new ArchiveError(
          source,
          "format",
          `is a ${kind} archive; only .tar, .tar.gz and .tgz are supported`,
        );
      }
    }
    return "none";
  } finally {
    await fh.close();
  }
}

/** Folder-local, collision-free name for a temporary sibling of `dest`. */
export function tempSibling(dest: string, suffix: string): string {
  return join(dirname(dest), `.${basename(dest)}.${process.pid}-${randomBytes(4).toString("hex")}.${suffix}`);
}

function zlibError(err: unknown, source: string): ArchiveError | undefined {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== "string" || !code.startsWith("Z_")) return undefined;
  const message = (err as Error).message;
  const truncated = code === "Z_BUF_ERROR" || /unexpected end/i.test(message);
  return new ArchiveError(
    source,
    truncated ? "truncated" : "gzip",
    truncated ? `gzip stream is truncated (${message})` : `gzip data is corrupt (${message})`,
    { cause: err },
  );
}

async function exists(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined)) !== undefined;
}

/**
 * The folder to rename into place: the archive's single top-level directory when it has exactly
 * one (fastai's convention: oxford-iiit-pet.tgz holds oxford-iiit-pet/{images,annotations}),
 * otherwise the whole extraction folder.
 */
async function chooseRoot(tmp: string, summary: ExtractSummary, source: string): Promise<string> {
  const top = await readdir(tmp);
  const only = top[0];
  if (top.length !== 1 || only === undefined) return tmp;
  if (!(await lstat(join(tmp, only))).isDirectory()) return tmp;
  // Links that climb out of the top folder would leave the destination once it is unwrapped.
  for (const [rel, target] of summary.symlinks) {
    const landed = resolveLink(rel.split("/"), target, summary.symlinks);
    if (landed === null || landed[0] !== only) {
      throw new ArchiveError(
        source,
        "unsafe-link",
        `symlink target "${target}" leaves the top-level folder "${only}"`,
        {
          entry: rel,
        },
      );
    }
  }
  return join(tmp, only);
}

async function place(root: string, dest: string, force: boolean): Promise<void> {
  if (!(await exists(dest))) {
    try {
      await rename(root, dest);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Another process placed it first: its copy is as good as ours.
      if ((code === "ENOTEMPTY" || code === "EEXIST") && !force) return;
      if (code !== "ENOTEMPTY" && code !== "EEXIST") throw err;
    }
  }
  if (!force) return;
  const old = tempSibling(dest, "old");
  await rename(dest, old);
  try {
    await rename(root, dest);
  } catch (err) {
    await rename(old, dest).catch(() => undefined);
    throw err;
  }
  await removeTree(old);
}

/**
 * Extracts the tar or gzipped tar `file` into the folder `dest` and returns `dest`.
 * An existing `dest` is returned untouched unless `force`. Throws ArchiveError on a corrupt or
 * unsafe archive, leaving no temporary files and no (new) destination behind.
 */
export async function extractArchive(
  file: string,
  dest: string,
  opts: ExtractArchiveOptions = {},
): Promise<string> {
  const target = resolve(dest);
  const source = opts.source ?? file;
  const force = opts.force ?? false;
  const existing = await stat(target).catch(() => undefined);
  if (existing !== undefined && !existing.isDirectory()) {
    throw new ArchiveError(source, "conflict", `destination ${target} exists and is not a directory`);
  }
  if (!force && existing !== undefined) return target;
  const compression = await sniff(file, source);
  await mkdir(dirname(target), { recursive: true });
  const tmp = tempSibling(target, "tmp");
  await mkdir(tmp);
  try {
    let summary: ExtractSummary | undefined;
    const consume = async (input: AsyncIterable<Buffer>): Promise<void> => {
      summary = await extractEntries(readTar(input, source), tmp, source);
    };
    const read = createReadStream(file, { highWaterMark: 256 * 1024 });
    try {
      if (compression === "gzip") await pipeline(read, createGunzip({ chunkSize: 64 * 1024 }), consume);
      else await pipeline(read, consume);
    } catch (err) {
      if (err instanceof ArchiveError) throw err;
      const gz = zlibError(err, source);
      if (gz) throw gz;
      throw new ArchiveError(source, "io", `read failed: ${(err as Error).message}`, { cause: err });
    }
    if (summary === undefined) throw new ArchiveError(source, "io", "extraction did not complete");
    await place(await chooseRoot(tmp, summary, source), target, force);
    return target;
  } finally {
    await removeTree(tmp);
  }
}
