/**
 * getImageFiles: the image files under a folder, in an order that is the same on every machine
 * (sorted by relative path, comparing UTF-16 code units: no locale, no file-system order).
 */
import type { Dirent } from "node:fs";
import { readdir, realpath, stat } from "node:fs/promises";
import { extname, join, resolve } from "node:path";

/** Extensions (lower case) that getImageFiles treats as images; matching ignores case. */
export const IMAGE_EXTENSIONS: readonly string[] = Object.freeze([
  ".jpg",
  ".jpeg",
  ".png",
  ".gif",
  ".webp",
  ".bmp",
  ".tif",
  ".tiff",
]);

/** The folder given to getImageFiles is missing or not a folder. */
export class ImageFilesError extends Error {
  override name = "ImageFilesError";
  readonly path: string;
  constructor(path: string, detail: string, cause?: unknown) {
    super(`getImageFiles: path ${JSON.stringify(path)} ${detail}`, cause === undefined ? {} : { cause });
    this.path = path;
  }
}

/** Options of {@link getImageFiles}. */
export interface GetImageFilesOptions {
  /** Descend into sub-folders. Default true. */
  recurse?: boolean;
  /** Only descend into these first-level sub-folders (files directly in `path` are still listed), as in fastai. */
  folders?: readonly string[];
  /** Override the extensions; default {@link IMAGE_EXTENSIONS}. */
  extensions?: readonly string[];
}

const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Absolute paths of the image files under `path`, sorted. Hidden files and folders (leading ".")
 * are skipped; symbolic links are followed, each real folder visited once.
 */
export async function getImageFiles(path: string, opts: GetImageFilesOptions = {}): Promise<string[]> {
  const root = resolve(path);
  const info = await stat(root).catch((err: NodeJS.ErrnoException) => {
    throw new ImageFilesError(
      path,
      err.code === "ENOENT" ? "does not exist" : `cannot be read (${err.code})`,
      err,
    );
  });
  if (!info.isDirectory()) throw new ImageFilesError(path, "is not a directory");
  const extensions = new Set((opts.extensions ?? IMAGE_EXTENSIONS).map((e) => e.toLowerCase()));
  const recurse = opts.recurse ?? true;
  const folders = opts.folders === undefined ? undefined : new Set(opts.folders);
  const visited = new Set<string>([await realpath(root)]);
  const found: string[] = [];

  const walk = async (rel: string, depth: number): Promise<void> => {
    const dir = join(root, rel);
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      throw new ImageFilesError(
        path,
        `has an unreadable folder ${dir} (${(err as NodeJS.ErrnoException).code})`,
        err,
      );
    }
    // Sorted so that which path reaches a folder linked twice does not depend on readdir order.
    entries.sort((a, b) => byCodeUnits(a.name, b.name));
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const childRel = rel === "" ? entry.name : `${rel}/${entry.name}`;
      let isFile = entry.isFile();
      let isDir = entry.isDirectory();
      if (entry.isSymbolicLink()) {
        const target = await stat(join(dir, entry.name)).catch(() => undefined); // dangling links are skipped
        isFile = target?.isFile() ?? false;
        isDir = target?.isDirectory() ?? false;
      }
      if (isFile && extensions.has(extname(entry.name).toLowerCase())) found.push(childRel);
      if (!isDir || !recurse || (depth === 0 && folders !== undefined && !folders.has(entry.name))) continue;
      const real = await realpath(join(dir, entry.name));
      if (visited.has(real)) continue;
      visited.add(real);
      await walk(childRel, depth + 1);
    }
  };
  await walk("", 0);
  return found.sort(byCodeUnits).map((rel) => join(root, rel));
}
