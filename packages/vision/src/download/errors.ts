/** Why a download failed; stable strings so callers can branch without parsing messages. */
export type DownloadErrorReason =
  | "http" // the server answered with a non-2xx status
  | "redirect" // too many redirects, or a redirect to something other than http(s)
  | "network" // the connection failed or was cut before the body was complete
  | "timeout" // no bytes arrived for `timeoutMs`
  | "aborted" // the caller's AbortSignal fired
  | "size" // the byte count differs from Content-Length or from the expected size
  | "checksum" // the SHA-256 differs from the expected one
  | "io"; // the local file could not be read or written

/** A download failed or did not verify; its partial file has been removed. */
export class DownloadError extends Error {
  override name = "DownloadError";
  readonly url: string;
  readonly reason: DownloadErrorReason;
  /** The HTTP status, for reason "http". */
  readonly status: number | undefined;

  constructor(
    url: string,
    reason: DownloadErrorReason,
    detail: string,
    opts: { status?: number; cause?: unknown } = {},
  ) {
    super(`Download of ${url} failed: ${detail}`, opts.cause === undefined ? {} : { cause: opts.cause });
    this.url = url;
    this.reason = reason;
    this.status = opts.status;
  }
}
