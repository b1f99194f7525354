/**
 * Decoding of one 512-byte tar header block and of pax extended-header records.
 *
 * Layout (POSIX ustar, which GNU tar shares for the first 345 bytes):
 *   name 0..100  mode 100..108  uid 108..116  gid 116..124  size 124..136  mtime 136..148
 *   chksum 148..156  typeflag 156  linkname 157..257  magic 257..263  version 263..265
 *   uname 265..297  gname 297..329  devmajor 329..337  devminor 337..345  prefix 345..500
 * GNU tar writes magic "ustar  \0" and uses the prefix area for other fields, so the prefix is only
 * joined to the name for POSIX magic "ustar\0".
 */

export const BLOCK = 512;

/** The fields of a header block that extraction needs, before pax/GNU overrides. */
export interface RawHeader {
  name: string;
  mode: number;
  size: number;
  mtime: number;
  type: string;
  linkname: string;
}

/** Thrown by the decoders here; the reader turns it into an ArchiveError naming the source. */
export class HeaderFieldError extends Error {
  override name = "HeaderFieldError";
}

const utf8 = new TextDecoder("utf-8");

function cString(block: Uint8Array, start: number, end: number): string {
  let stop = start;
  while (stop < end && block[stop] !== 0) stop++;
  return utf8.decode(block.subarray(start, stop));
}

/** An octal ASCII field, or GNU base-256 when the high bit of the first byte is set. */
export function parseNumber(block: Uint8Array, start: number, end: number, field: string): number {
  const first = block[start] ?? 0;
  if (first & 0x80) {
    if (first === 0xff) throw new HeaderFieldError(`negative base-256 ${field}`);
    let value = first & 0x7f;
    for (let i = start + 1; i < end; i++) {
      value = value * 256 + (block[i] ?? 0);
      if (!Number.isSafeInteger(value)) throw new HeaderFieldError(`${field} too large`);
    }
    return value;
  }
  const text = cString(block, start, end).trim();
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw new HeaderFieldError(`${field} is not octal: ${JSON.stringify(text)}`);
  return Number.parseInt(text, 8);
}

/** True for the all-zero block that marks the end of an archive. */
export function isZeroBlock(block: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (block[i] !== 0) return false;
  return true;
}

/** Header checksum: the byte sum with the checksum field itself counted as spaces. */
export function headerChecksum(block: Uint8Array): { unsigned: number; signed: number } {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  return { unsigned, signed };
}

/** Decode and verify one header block (historic signed-sum archives are accepted too). */
export function parseHeader(block: Uint8Array): RawHeader {
  const stored = parseNumber(block, 148, 156, "checksum");
  const sums = headerChecksum(block);
  if (stored !== sums.unsigned && stored !== sums.signed) {
    throw new HeaderFieldError(`header checksum mismatch (stored ${stored}, computed ${sums.unsigned})`);
  }
  const magic = cString(block, 257, 263);
  const isPosix = magic === "ustar" && block[262] === 0;
  let name = cString(block, 0, 100);
  if (isPosix) {
    const prefix = cString(block, 345, 500);
    if (prefix !== "") name = `${prefix}/${name}`;
  }
  return {
    name,
    mode: parseNumber(block, 100, 108, "mode"),
    size: parseNumber(block, 124, 136, "size"),
    mtime: parseNumber(block, 136, 148, "mtime"),
    type: String.fromCharCode(block[156] ?? 0),
    linkname: cString(block, 157, 257),
  };
}

/**
 * Pax records: "<len> <key>=<value>\n", where len counts the whole record in bytes.
 * Values are UTF-8; a later record with the same key wins.
 */
export function parsePax(data: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    if (data[pos] === 0) break; // some writers pad the block with NULs
    let space = pos;
    while (space < data.length && data[space] !== 0x20) space++;
    const lenText = utf8.decode(data.subarray(pos, space));
    const len = Number(lenText);
    if (!/^\d+$/.test(lenText) || len <= space - pos + 1 || pos + len > data.length) {
      throw new HeaderFieldError(`malformed pax record at byte ${pos}`);
    }
    const end = pos + len;
    if (data[end - 1] !== 0x0a) throw new HeaderFieldError(`pax record at byte ${pos} lacks its newline`);
    const record = utf8.decode(data.subarray(space + 1, end - 1));
    const eq = record.indexOf("=");
    if (eq <= 0) throw new HeaderFieldError(`pax record at byte ${pos} has no key`);
    out[record.slice(0, eq)] = record.slice(eq + 1);
    pos = end;
  }
  return out;
}
