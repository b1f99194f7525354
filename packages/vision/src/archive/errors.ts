/** Why an archive was refused; stable strings so callers can branch without parsing messages. */
export type ArchiveErrorReason =
  | "format" // not a tar/gzip stream we can read (zip, bzip2, xz, garbage)
  | "gzip" // the gzip layer is corrupt
  | "header" // a tar header fails its checksum or has an unreadable field
  | "truncated" // the stream ends inside an entry or before the end-of-archive marker
  | "unsafe-path" // an entry name is absolute, contains "..", or is written through a symlink
  | "unsafe-link" // a symlink/hardlink target resolves outside the destination
  | "device" // character/block device or FIFO
  | "unsupported" // an entry type we do not extract (sparse, multi-volume, unknown)
  | "conflict" // an entry would replace a directory with a non-directory
  | "io"; // the file system refused a write

/** An archive could not be extracted safely; nothing was left in the destination. */
export class ArchiveError extends Error {
  override name = "ArchiveError";
  /** The archive being read: a URL or a file path. */
  readonly source: string;
  readonly reason: ArchiveErrorReason;
  /** The offending entry's name as written in the archive, when one is to blame. */
  readonly entry: string | undefined;

  constructor(
    source: string,
    reason: ArchiveErrorReason,
    detail: string,
    opts: { entry?: string; cause?: unknown } = {},
  ) {
    const where = opts.entry === undefined ? "" : ` entry ${JSON.stringify(opts.entry)}`;
    super(
      `Cannot extract ${source}:${where} ${detail}`,
      opts.cause === undefined ? {} : { cause: opts.cause },
    );
    this.source = source;
    this.reason = reason;
    this.entry = opts.entry;
  }
}
