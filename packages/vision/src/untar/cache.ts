/**
 * Where datasets live on disk: the cache root, the folder name derived from a URL, and the
 * clean-up of temporary files that a killed process left behind.
 */
import { readdir } from "node:fs/promises";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { removeTree } from "../archive/extract-entries.js";

/** Environment variable that moves the cache root (like fastai's FASTAI_HOME, but pointing at the data folder itself). */
export const DATA_HOME_ENV = "SCHED_DATA_HOME";

/** The cache root: `$SCHED_DATA_HOME` when set, else `~/.sched/data`. */
export function dataHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[DATA_HOME_ENV];
  return fromEnv !== undefined && fromEnv !== "" ? resolve(fromEnv) : join(homedir(), ".sched", "data");
}

const ARCHIVE_SUFFIX = /\.(tar\.gz|tgz|tar)$/i;

/** The archive's file name: the last segment of the URL's path, percent-decoded. */
export function archiveFileName(url: URL): string {
  const last = url.pathname.split("/").pop() ?? "";
  let name: string;
  try {
    name = decodeURIComponent(last);
  } catch {
    name = last;
  }
  if (name === "" || name === "." || name === ".." || name.includes("/") || name.includes("\\")) {
    throw new TypeError(
      `untarData: cannot name a folder after url ${JSON.stringify(url.href)}; pass opts.dest`,
    );
  }
  return name;
}

/** The dataset folder name: the archive name without .tgz / .tar.gz / .tar (oxford-iiit-pet.tgz → oxford-iiit-pet). */
export function datasetName(fileName: string): string {
  const stripped = fileName.replace(ARCHIVE_SUFFIX, "");
  return stripped === "" ? fileName : stripped;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Removes `.<name>.<pid>-<hex>.{part,tmp,old}` siblings whose process is gone (a crash or a kill
 * between download and rename). Live processes' files are left alone.
 */
export async function sweepStale(dir: string, name: string): Promise<void> {
  const prefix = `.${name}.`;
  for (const entry of await readdir(dir).catch(() => [] as string[])) {
    if (!entry.startsWith(prefix)) continue;
    const match = /^(\d+)-[0-9a-f]{8}\.(part|tmp|old)$/.exec(entry.slice(prefix.length));
    if (match && !isAlive(Number(match[1]))) await removeTree(join(dir, entry));
  }
}
