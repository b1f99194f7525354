/**
 * A small tar writer used only by the tests to build archives (good and hostile) on the fly.
 * Excluded from the build by the `src/**\/test-*.ts` pattern in tsconfig.build.json.
 */
import { gzipSync } from "node:zlib";

/** One member to write; `type` defaults to "file". */
export interface WriteEntry {
  path: string;
  type?: "file" | "directory" | "symlink" | "hardlink" | "char-device" | "block-device" | "fifo" | "raw";
  data?: string | Uint8Array;
  mode?: number;
  /** Seconds since the epoch. */
  mtime?: number;
  linkpath?: string;
  /** For type "raw": the typeflag character to write as is. */
  typeflag?: string;
}

/** How names longer than the 100-byte header field are stored. */
export type LongNames = "pax" | "gnu" | "ustar";

const TYPEFLAGS: Record<string, string> = {
  file: "0",
  hardlink: "1",
  symlink: "2",
  "char-device": "3",
  "block-device": "4",
  directory: "5",
  fifo: "6",
};

const enc = new TextEncoder();

function writeString(block: Uint8Array, text: string, start: number, length: number): void {
  const bytes = enc.encode(text);
  block.set(bytes.subarray(0, length), start);
}

function writeOctal(block: Uint8Array, value: number, start: number, length: number): void {
  writeString(block, `${value.toString(8).padStart(length - 1, "0")}\0`, start, length);
}

interface HeaderFields {
  name: string;
  mode: number;
  size: number;
  mtime: number;
  typeflag: string;
  linkname: string;
  prefix?: string;
  gnu?: boolean;
}

/** One header block with a correct checksum. */
export function headerBlock(f: HeaderFields): Uint8Array {
  const block = new Uint8Array(512);
  writeString(block, f.name, 0, 100);
  writeOctal(block, f.mode, 100, 8);
  writeOctal(block, 0, 108, 8);
  writeOctal(block, 0, 116, 8);
  writeOctal(block, f.size, 124, 12);
  writeOctal(block, f.mtime, 136, 12);
  writeString(block, f.typeflag, 156, 1);
  writeString(block, f.linkname, 157, 100);
  if (f.gnu) writeString(block, "ustar  \0", 257, 8);
  else {
    writeString(block, "ustar\0", 257, 6);
    writeString(block, "00", 263, 2);
    if (f.prefix) writeString(block, f.prefix, 345, 155);
  }
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of block) sum += byte;
  writeString(block, `${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
  return block;
}

function padded(data: Uint8Array): Uint8Array[] {
  const pad = (512 - (data.length % 512)) % 512;
  return pad === 0 ? [data] : [data, new Uint8Array(pad)];
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = enc.encode(body).length + 1;
  while (String(len).length + enc.encode(body).length !== len) len++;
  return `${len}${body}`;
}

function splitUstar(path: string): { prefix: string; name: string } | undefined {
  for (let i = path.indexOf("/"); i !== -1; i = path.indexOf("/", i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (enc.encode(prefix).length <= 155 && enc.encode(name).length <= 100 && name !== "")
      return { prefix, name };
  }
  return undefined;
}

/** Serialises `entries` as an uncompressed tar archive (with the two zero end blocks unless `end` is false). */
export function writeTar(
  entries: readonly WriteEntry[],
  opts: { longNames?: LongNames; end?: boolean } = {},
): Buffer {
  const longNames = opts.longNames ?? "pax";
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    const type = e.type ?? "file";
    const data =
      type === "file"
        ? typeof e.data === "string"
          ? enc.encode(e.data)
          : (e.data ?? new Uint8Array())
        : new Uint8Array();
    const typeflag = type === "raw" ? (e.typeflag ?? "0") : (TYPEFLAGS[type] as string);
    const mode = e.mode ?? (type === "directory" ? 0o755 : 0o644);
    const mtime = e.mtime ?? 1_700_000_000;
    const linkpath = e.linkpath ?? "";
    let name = e.path;
    const linkname = linkpath; // headerBlock truncates over-long fields to their width
    let prefix: string | undefined;
    const nameTooLong = enc.encode(name).length > 100;
    const linkTooLong = enc.encode(linkpath).length > 100;
    if (longNames === "gnu") {
      if (linkTooLong) parts.push(...gnuLong("K", linkpath));
      if (nameTooLong) parts.push(...gnuLong("L", name));
    } else if (longNames === "pax" && (nameTooLong || linkTooLong)) {
      let records = "";
      if (nameTooLong) records += paxRecord("path", name);
      if (linkTooLong) records += paxRecord("linkpath", linkpath);
      const body = enc.encode(records);
      parts.push(
        headerBlock({
          name: "PaxHeader/entry",
          mode: 0o644,
          size: body.length,
          mtime,
          typeflag: "x",
          linkname: "",
        }),
      );
      parts.push(...padded(body));
    } else if (longNames === "ustar" && nameTooLong) {
      const split = splitUstar(name);
      if (!split) throw new Error(`cannot split ${name} into ustar prefix/name`);
      prefix = split.prefix;
      name = split.name;
    }
    const fields: HeaderFields = {
      name,
      mode,
      size: data.length,
      mtime,
      typeflag,
      linkname,
      gnu: longNames === "gnu",
    };
    if (prefix !== undefined) fields.prefix = prefix;
    parts.push(headerBlock(fields));
    if (data.length > 0) parts.push(...padded(data));
  }
  if (opts.end ?? true) parts.push(new Uint8Array(1024));
  return Buffer.concat(parts);
}

function gnuLong(typeflag: "L" | "K", text: string): Uint8Array[] {
  const body = enc.encode(`${text}\0`);
  return [
    headerBlock({
      name: "././@LongLink",
      mode: 0,
      size: body.length,
      mtime: 0,
      typeflag,
      linkname: "",
      gnu: true,
    }),
    ...padded(body),
  ];
}

/** writeTar + gzip: a .tgz in memory. */
export function writeTgz(
  entries: readonly WriteEntry[],
  opts: { longNames?: LongNames; end?: boolean } = {},
): Buffer {
  return gzipSync(writeTar(entries, opts));
}
