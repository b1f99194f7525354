/**
 * A streaming tar reader: ustar, GNU long names/links ('L'/'K') and pax extended headers
 * ('x' per entry, 'g' global). Metadata entries are folded into the entry they describe; what
 * comes out is one TarEntry per real archive member, in archive order.
 */

import { ByteSource } from "./byte-source.js";
import { ArchiveError } from "./errors.js";
import { BLOCK, HeaderFieldError, isZeroBlock, parseHeader, parsePax } from "./tar-header.js";

/** What an archive member is; everything but file/directory/symlink/hardlink is refused on extraction. */
export type TarEntryType =
  | "file"
  | "directory"
  | "symlink"
  | "hardlink"
  | "char-device"
  | "block-device"
  | "fifo"
  | "unsupported";

/** One archive member. `body` must be consumed before asking for the next entry, or it is skipped. */
export interface TarEntry {
  /** The member's path exactly as the archive names it (after GNU/pax overrides). */
  path: string;
  type: TarEntryType;
  /** The raw typeflag character, kept for error messages about unsupported types. */
  typeflag: string;
  mode: number;
  size: number;
  /** Modification time in seconds since the epoch (pax may give fractions). */
  mtime: number;
  /** Target of a symlink or hardlink; "" otherwise. */
  linkpath: string;
  body: AsyncIterable<Buffer>;
}

/** Metadata members (long names, pax records) are small; cap them so a hostile size cannot exhaust memory. */
const MAX_META_BYTES = 1 << 20;

const TYPES: Record<string, TarEntryType> = {
  "0": "file",
  "\0": "file",
  "7": "file", // contiguous file: a regular file everywhere but a few old systems
  "1": "hardlink",
  "2": "symlink",
  "3": "char-device",
  "4": "block-device",
  "5": "directory",
  "6": "fifo",
};

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/**
 * Reads `source` (uncompressed tar bytes) and yields its members. Throws ArchiveError naming
 * `sourceName` on a bad header checksum, a truncated stream or a missing end-of-archive marker.
 * After the marker the rest of the stream is drained, so trailing stream errors still surface.
 */
export async function* readTar(
  source: AsyncIterable<Uint8Array>,
  sourceName: string,
): AsyncGenerator<TarEntry> {
  const bytes = new ByteSource(source);
  let globalPax: Record<string, string> = {};
  let pax: Record<string, string> = {};
  let longName: string | undefined;
  let longLink: string | undefined;

  const fail = (reason: "header" | "truncated", detail: string, entry?: string): never => {
    throw new ArchiveError(sourceName, reason, detail, entry === undefined ? {} : { entry });
  };
  const readMeta = async (size: number, what: string): Promise<Buffer> => {
    if (size > MAX_META_BYTES)
      fail("header", `${what} of ${size} bytes exceeds the ${MAX_META_BYTES}-byte limit`);
    const data = await bytes.read(size);
    if (data.length < size) fail("truncated", `archive ends inside a ${what}`);
    if ((await bytes.skip(padding(size))) < padding(size)) fail("truncated", `archive ends inside a ${what}`);
    return data;
  };

  for (;;) {
    const offset = bytes.position;
    const block = await bytes.read(BLOCK);
    if (block.length === 0) fail("truncated", "archive ends without an end-of-archive marker");
    if (block.length < BLOCK) fail("truncated", `archive ends inside the header at byte ${offset}`);
    if (isZeroBlock(block)) {
      await bytes.drain();
      return;
    }
    let header: ReturnType<typeof parseHeader>;
    try {
      header = parseHeader(block);
    } catch (err) {
      if (!(err instanceof HeaderFieldError)) throw err;
      return fail("header", `${err.message} in the header at byte ${offset}`);
    }
    const typeflag = header.type;
    try {
      if (typeflag === "L" || typeflag === "K") {
        const data = await readMeta(header.size, "GNU long name");
        const nul = data.indexOf(0);
        const text = data.subarray(0, nul === -1 ? data.length : nul).toString("utf8");
        if (typeflag === "L") longName = text;
        else longLink = text;
        continue;
      }
      if (typeflag === "x" || typeflag === "g") {
        const records = parsePax(await readMeta(header.size, "pax header"));
        if (typeflag === "x") pax = { ...pax, ...records };
        else globalPax = { ...globalPax, ...records };
        continue;
      }
    } catch (err) {
      if (!(err instanceof HeaderFieldError)) throw err;
      return fail("header", `${err.message} (header at byte ${offset})`);
    }

    const merged = { ...globalPax, ...pax };
    const path = nonEmpty(merged.path) ?? longName ?? header.name;
    const linkpath = nonEmpty(merged.linkpath) ?? longLink ?? header.linkname;
    const size = paxNumber(merged.size, header.size, "size", path, fail);
    const mtime = paxNumber(merged.mtime, header.mtime, "mtime", path, fail);
    pax = {};
    longName = undefined;
    longLink = undefined;

    let type = TYPES[typeflag] ?? "unsupported";
    // Pre-POSIX archives mark directories only by a trailing slash.
    if (type === "file" && typeflag !== "7" && path.endsWith("/")) type = "directory";
    // Only regular files carry data we keep; directories/links may still declare a size to skip.
    const dataSize = type === "file" || type === "unsupported" || size > 0 ? size : 0;

    let consumed = 0;
    const body: AsyncIterable<Buffer> = {
      async *[Symbol.asyncIterator]() {
        for await (const chunk of bytes.stream(dataSize - consumed)) {
          consumed += chunk.length;
          yield chunk;
        }
        if (consumed < dataSize) fail("truncated", `archive ends ${dataSize - consumed} bytes short`, path);
      },
    };
    yield {
      path,
      type,
      typeflag,
      mode: header.mode,
      size: type === "file" ? size : 0,
      mtime,
      linkpath,
      body,
    };

    const rest = dataSize - consumed + padding(dataSize);
    if ((await bytes.skip(rest)) < rest) fail("truncated", `archive ends inside the entry's data`, path);
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

function paxNumber(
  value: string | undefined,
  fallback: number,
  key: string,
  entry: string,
  fail: (reason: "header", detail: string, entry?: string) => never,
): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(n))
    fail("header", `pax ${key} is not a number: ${value}`, entry);
  return key === "size" && !Number.isSafeInteger(n) ? fail("header", `pax size is not an integer`, entry) : n;
}
