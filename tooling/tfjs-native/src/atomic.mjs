// Everything the setup writes appears all at once or not at all: it is built in a temporary
// sibling (".tmp-<pid>-<random>") and renamed into place, so an interrupted install leaves at
// most a temporary directory, which the next run removes.
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";

const TMP = ".tmp-";

/** A fresh temporary directory inside `parent` (created if missing), named after this process. */
export function makeTemp(parent) {
  mkdirSync(parent, { recursive: true });
  return mkdtempSync(join(parent, `${TMP}${process.pid}-`));
}

/** Removes temporaries left in `parent` by processes that no longer run. */
export function removeStaleTemps(parent) {
  if (!existsSync(parent)) return;
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(TMP)) continue;
    const pid = Number(name.slice(TMP.length).split("-")[0]);
    if (!Number.isInteger(pid) || !isRunning(pid))
      rmSync(join(parent, name), { recursive: true, force: true });
  }
}

function isRunning(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === "EPERM";
  }
}

/**
 * Renames the finished directory `tmp` to `dest`. When another install got there first, keeps
 * theirs (same content by construction) and drops ours.
 */
export function publishDir(tmp, dest) {
  mkdirSync(dirname(dest), { recursive: true });
  try {
    renameSync(tmp, dest);
  } catch (err) {
    if (!["EEXIST", "ENOTEMPTY"].includes(err.code)) throw err;
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Copies `src` over `dest` through a temporary file in dest's folder and one rename. */
export function copyFileAtomic(src, dest) {
  mkdirSync(dirname(dest), { recursive: true });
  const tmp = join(dirname(dest), `${TMP}${process.pid}-${basename(dest)}`);
  copyFileSync(src, tmp);
  renameSync(tmp, dest);
}

/** Points `link` at `target`, replacing whatever `link` was (file, symlink or directory). */
export function replaceWithSymlink(target, link) {
  mkdirSync(dirname(link), { recursive: true });
  const tmp = join(dirname(link), `${TMP}${process.pid}-${basename(link)}`);
  rmSync(tmp, { recursive: true, force: true });
  symlinkSync(target, tmp);
  try {
    renameSync(tmp, link);
  } catch (err) {
    // rename(2) cannot replace a non-empty directory: remove it, then retry once.
    if (!["EISDIR", "ENOTEMPTY", "EEXIST"].includes(err.code)) throw err;
    rmSync(link, { recursive: true, force: true });
    renameSync(tmp, link);
  }
}
