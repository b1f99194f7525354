/**
 * untarData: download → verify → extract → rename into the cache, once. The pieces live in
 * ../download (HTTP, progress, verification) and ../archive (tar reading, safe atomic extraction);
 * this file only decides paths, reuses the cache, and shares work between concurrent callers.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat, mkdir, rm, stat } from "node:fs/promises";
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ArchiveError } from "../archive/errors.js";
import { extractArchive, tempSibling } from "../archive/extract-archive.js";
import { downloadFile, verifyDownload } from "../download/download.js";
import { DownloadError } from "../download/errors.js";
import { archiveFileName, dataHome, datasetName, sweepStale } from "./cache.js";

/** Options of {@link untarData}. */
export interface UntarDataOptions {
  /** Cache root. Default `$SCHED_DATA_HOME`, else `~/.sched/data`. */
  base?: string;
  /** The dataset folder itself. Default `<base>/<archive name without .tgz/.tar.gz/.tar>`. */
  dest?: string;
  /** Download and extract again even when the folder exists (the old copy stays if that fails). */
  force?: boolean;
  /** Expected archive size in bytes. */
  size?: number;
  /** Expected SHA-256 of the archive (64 hex digits). */
  sha256?: string;
  /** Give up when no data arrives for this long (ms). Default 30 000. */
  timeoutMs?: number;
  /** Default 10. */
  maxRedirects?: number;
  /** Extra HTTP request headers. */
  headers?: Record<string, string>;
  /** Show a progress bar. Default: only when stderr is a terminal and CI is unset. */
  progress?: boolean;
  /** Cancels the download; nothing is left behind. */
  signal?: AbortSignal;
}

const inFlight = new Map<string, Promise<string>>();

function parseUrl(url: unknown): URL {
  let parsed: URL | undefined;
  try {
    parsed = typeof url === "string" ? new URL(url) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || !["http:", "https:", "file:"].includes(parsed.protocol)) {
    throw new TypeError(`untarData: url must be an http(s) or file URL, got ${JSON.stringify(url)}`);
  }
  return parsed;
}

function checkOptions(opts: UntarDataOptions): void {
  if (opts.sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(opts.sha256)) {
    throw new TypeError(`untarData: opts.sha256 must be 64 hex digits, got ${JSON.stringify(opts.sha256)}`);
  }
  if (opts.size !== undefined && !(Number.isSafeInteger(opts.size) && opts.size >= 0)) {
    throw new RangeError(`untarData: opts.size must be a non-negative integer, got ${String(opts.size)}`);
  }
  if (opts.timeoutMs !== undefined && !(opts.timeoutMs > 0)) {
    throw new RangeError(`untarData: opts.timeoutMs must be positive, got ${String(opts.timeoutMs)}`);
  }
}

/** True for an existing dataset folder (a symlink to one counts); throws if something else is there. */
async function isCached(dest: string, url: string): Promise<boolean> {
  const found = await stat(dest).catch(() => undefined);
  if (found !== undefined && !found.isDirectory()) {
    throw new ArchiveError(url, "conflict", `destination ${dest} exists and is not a directory`);
  }
  return found !== undefined;
}

/** Hashes a local archive (file: URLs) so it is verified exactly like a downloaded one. */
async function verifyLocal(url: string, file: string, opts: UntarDataOptions): Promise<void> {
  if (opts.size === undefined && opts.sha256 === undefined) {
    if (!(await lstat(file).catch(() => undefined))?.isFile())
      throw new DownloadError(url, "io", `no such file ${file}`);
    return;
  }
  const hash = createHash("sha256");
  let bytes = 0;
  try {
    for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      bytes += chunk.length;
    }
  } catch (err) {
    throw new DownloadError(url, "io", `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  verifyDownload(url, bytes, hash.digest("hex"), opts);
}

async function fetchAndExtract(url: URL, dest: string, opts: UntarDataOptions): Promise<string> {
  const force = opts.force ?? false;
  await mkdir(dirname(dest), { recursive: true });
  await sweepStale(dirname(dest), basename(dest));
  if (url.protocol === "file:") {
    const file = fileURLToPath(url);
    await verifyLocal(url.href, file, opts);
    return extractArchive(file, dest, { force, source: url.href });
  }
  const part = tempSibling(dest, "part");
  try {
    const { timeoutMs, maxRedirects, headers, progress, signal, size, sha256 } = opts;
    await downloadFile(url.href, part, {
      label: basename(dest),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
      ...(maxRedirects === undefined ? {} : { maxRedirects }),
      ...(headers === undefined ? {} : { headers }),
      ...(progress === undefined ? {} : { progress }),
      ...(signal === undefined ? {} : { signal }),
      ...(size === undefined ? {} : { size }),
      ...(sha256 === undefined ? {} : { sha256 }),
    });
    return await extractArchive(part, dest, { force, source: url.href });
  } finally {
    await rm(part, { force: true });
  }
}

/**
 * Downloads the .tgz / .tar.gz / .tar at `url` into the cache, extracts it and returns the folder
 * (`<base>/<name>`, e.g. `~/.sched/data/oxford-iiit-pet`). When the archive holds a single top-level
 * folder, that folder's contents are the returned folder. An existing folder is returned without
 * any network access unless `force`. Failures throw DownloadError / ArchiveError and leave nothing
 * behind; concurrent calls for the same folder share one download.
 */
export async function untarData(url: string, opts: UntarDataOptions = {}): Promise<string> {
  const parsed = parseUrl(url);
  checkOptions(opts);
  const dest = resolve(opts.dest ?? resolve(opts.base ?? dataHome(), datasetName(archiveFileName(parsed))));
  if ((await isCached(dest, parsed.href)) && !opts.force) return dest;
  const running = inFlight.get(dest);
  if (running) return running;
  const job = fetchAndExtract(parsed, dest, opts).finally(() => inFlight.delete(dest));
  inFlight.set(dest, job);
  return job;
}
