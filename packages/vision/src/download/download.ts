/**
 * Downloads one URL to a file with node:http(s): follows redirects, asks for the raw bytes
 * (no transparent decompression, so sizes and hashes are those of the archive), shows progress,
 * and verifies the byte count and SHA-256 before reporting success. On any failure the file is removed.
 */
import { createHash } from "node:crypto";
import { open, rm } from "node:fs/promises";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { DownloadError } from "./errors.js";
import { progressBar, progressByDefault } from "./progress.js";

/** Options of {@link downloadFile}. */
export interface DownloadOptions {
  /** Expected size in bytes; checked in addition to Content-Length. */
  size?: number;
  /** Expected SHA-256 of the bytes, hex. */
  sha256?: string;
  /** Give up when no data arrives for this long (ms). Default 30 000. */
  timeoutMs?: number;
  /** Default 10. */
  maxRedirects?: number;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** Show a progress bar. Default: only when stderr is a terminal and CI is unset. */
  progress?: boolean;
  /** Cancels the download (the partial file is removed). */
  signal?: AbortSignal;
  /** Label of the progress bar. Default: the last segment of the URL's path. */
  label?: string;
}

/** What was downloaded. */
export interface DownloadResult {
  bytes: number;
  sha256: string;
  /** The URL the bytes came from after redirects. */
  finalUrl: string;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

interface RequestState {
  timedOut: boolean;
}

function get(url: URL, opts: DownloadOptions, state: RequestState): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = url.protocol === "https:" ? https : http;
    const req = client.get(
      url,
      {
        headers: { "accept-encoding": "identity", "user-agent": "@sched/vision", ...opts.headers },
        ...(opts.signal ? { signal: opts.signal } : {}),
      },
      resolve,
    );
    req.setTimeout(opts.timeoutMs ?? 30_000, () => {
      state.timedOut = true;
      req.destroy(new Error(`no data for ${opts.timeoutMs ?? 30_000} ms`));
    });
    // Stays attached after the response arrives: later socket errors surface through the body stream.
    req.on("error", reject);
  });
}

function failure(
  url: string,
  err: unknown,
  state: RequestState,
  opts: DownloadOptions,
  what: string,
): DownloadError {
  if (err instanceof DownloadError) return err;
  const message = (err as Error).message;
  if (state.timedOut)
    return new DownloadError(url, "timeout", `${what}: no data for ${opts.timeoutMs ?? 30_000} ms`, {
      cause: err,
    });
  if (opts.signal?.aborted)
    return new DownloadError(url, "aborted", `${what}: aborted by the caller`, { cause: err });
  return new DownloadError(url, "network", `${what}: ${message}`, { cause: err });
}

async function openResponse(
  url: string,
  opts: DownloadOptions,
  state: RequestState,
): Promise<{ res: IncomingMessage; finalUrl: URL }> {
  const maxRedirects = opts.maxRedirects ?? 10;
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    const res = await get(current, opts, state).catch((err: unknown) => {
      throw failure(url, err, state, opts, `cannot connect to ${current.host}`);
    });
    const status = res.statusCode ?? 0;
    if (REDIRECTS.has(status) || status < 200 || status > 299) {
      res.on("error", () => {}); // the body is discarded; a socket error on it must not go unhandled
      res.resume();
    }
    if (REDIRECTS.has(status)) {
      const location = res.headers.location;
      if (!location)
        throw new DownloadError(url, "redirect", `HTTP ${status} without a Location header`, { status });
      if (hop >= maxRedirects)
        throw new DownloadError(url, "redirect", `more than ${maxRedirects} redirects`, { status });
      current = new URL(location, current);
      if (current.protocol !== "http:" && current.protocol !== "https:") {
        throw new DownloadError(url, "redirect", `redirected to unsupported URL ${current.href}`, { status });
      }
      continue;
    }
    if (status < 200 || status > 299) {
      const via = current.href === url ? "" : ` (from ${current.href})`;
      throw new DownloadError(url, "http", `HTTP ${status} ${res.statusMessage ?? ""}`.trimEnd() + via, {
        status,
      });
    }
    return { res, finalUrl: current };
  }
}

/** Checks a byte count and digest against what the caller expects; throws DownloadError. */
export function verifyDownload(
  url: string,
  bytes: number,
  sha256: string,
  expected: { size?: number; sha256?: string },
): void {
  if (expected.size !== undefined && bytes !== expected.size) {
    throw new DownloadError(url, "size", `got ${bytes} bytes, expected ${expected.size}`);
  }
  if (expected.sha256 !== undefined && sha256 !== expected.sha256.toLowerCase()) {
    throw new DownloadError(
      url,
      "checksum",
      `SHA-256 mismatch: expected ${expected.sha256.toLowerCase()}, got ${sha256}`,
    );
  }
}

/** Downloads `url` (http or https) into `file`, which must not exist yet. */
export async function downloadFile(
  url: string,
  file: string,
  opts: DownloadOptions = {},
): Promise<DownloadResult> {
  const state: RequestState = { timedOut: false };
  const label = opts.label ?? decodeURIComponent(new URL(url).pathname.split("/").pop() || url);
  const progress = progressBar(label, opts.progress ?? progressByDefault());
  let created = false;
  try {
    const { res, finalUrl } = await openResponse(url, opts, state);
    const lengthHeader = res.headers["content-length"];
    const encoded =
      res.headers["content-encoding"] !== undefined && res.headers["content-encoding"] !== "identity";
    const contentLength = lengthHeader !== undefined && !encoded ? Number(lengthHeader) : undefined;
    const fh = await open(file, "wx").catch((err: Error) => {
      res.destroy();
      throw new DownloadError(url, "io", `cannot create ${file}: ${err.message}`, { cause: err });
    });
    created = true;
    const hash = createHash("sha256");
    let bytes = 0;
    progress.start(contentLength ?? opts.size);
    try {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        hash.update(chunk);
        bytes += chunk.length;
        await fh.write(chunk).catch((err: Error) => {
          throw new DownloadError(url, "io", `cannot write ${file}: ${err.message}`, { cause: err });
        });
        progress.update(bytes);
      }
    } catch (err) {
      const of = contentLength === undefined ? "" : ` of ${contentLength}`;
      throw failure(url, err, state, opts, `connection lost after ${bytes}${of} bytes`);
    } finally {
      progress.stop();
      await fh.close();
    }
    if (contentLength !== undefined && bytes !== contentLength) {
      throw new DownloadError(url, "size", `got ${bytes} bytes but Content-Length is ${contentLength}`);
    }
    const sha256 = hash.digest("hex");
    verifyDownload(url, bytes, sha256, opts);
    return { bytes, sha256, finalUrl: finalUrl.href };
  } catch (err) {
    if (created) await rm(file, { force: true });
    throw failure(url, err, state, opts, "request failed");
  }
}
