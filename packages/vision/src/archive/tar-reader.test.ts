import { describe, expect, it } from "vitest";
import { ArchiveError } from "./errors.js";
import { resolveLink, splitMemberPath } from "./safe-paths.js";
import { parseNumber, parsePax } from "./tar-header.js";
import { readTar, type TarEntry } from "./tar-reader.js";
import { headerBlock, writeTar } from "./test-tar-writer.js";

async function* chunked(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect(
  bytes: Uint8Array,
  chunk = 97,
): Promise<Array<Omit<TarEntry, "body"> & { text: string }>> {
  const out = [];
  for await (const e of readTar(chunked(bytes, chunk), "mem.tar")) {
    const parts: Buffer[] = [];
    for await (const c of e.body) parts.push(c);
    const { body: _body, ...rest } = e;
    out.push({ ...rest, text: Buffer.concat(parts).toString("utf8") });
  }
  return out;
}

describe("tar header fields", () => {
  it("reads octal and GNU base-256 numbers", () => {
    const field = new Uint8Array(12);
    field.set(Buffer.from("00000001750\0"));
    expect(parseNumber(field, 0, 12, "size")).toBe(0o1750);
    const big = new Uint8Array(12);
    big[0] = 0x80;
    big[7] = 0x02; // 2 * 256^4 = 8 GiB: beyond the 11 octal digits' 8 GiB - 1
    expect(parseNumber(big, 0, 12, "size")).toBe(2 * 256 ** 4);
    const bad = new Uint8Array(12);
    bad.set(Buffer.from("12x"));
    expect(() => parseNumber(bad, 0, 12, "size")).toThrow(/size is not octal: "12x"/);
  });

  it("parses pax records by their byte length, UTF-8 included", () => {
    const value = "données/é.jpg";
    const body = ` path=${value}\n`;
    const len = Buffer.byteLength(body) + 2;
    expect(parsePax(Buffer.from(`${len}${body}7 a=bc\n`))).toEqual({
      path: value,
      a: "bc",
    });
    expect(() => parsePax(Buffer.from("99 path=x\n"))).toThrow(/malformed pax record/);
  });
});

describe("readTar", () => {
  it("yields members in order with their data, for any chunking", async () => {
    const tar = writeTar([
      { path: "d/", type: "directory", mode: 0o700 },
      { path: "d/a.txt", data: "alpha".repeat(300), mode: 0o640, mtime: 1234567890 },
      { path: "d/l", type: "symlink", linkpath: "a.txt" },
    ]);
    for (const chunk of [1, 97, 512, 100_000]) {
      const entries = await collect(tar, chunk);
      expect(entries.map((e) => [e.path, e.type, e.mode, e.linkpath])).toEqual([
        ["d/", "directory", 0o700, ""],
        ["d/a.txt", "file", 0o640, ""],
        ["d/l", "symlink", 0o644, "a.txt"],
      ]);
      expect(entries[1]?.text).toBe("alpha".repeat(300));
      expect(entries[1]?.mtime).toBe(1234567890);
    }
  });

  it("skips unread bodies", async () => {
    const tar = writeTar([
      { path: "a", data: "x".repeat(1000) },
      { path: "b", data: "y" },
    ]);
    const names = [];
    for await (const e of readTar(chunked(tar, 300), "mem.tar")) names.push(e.path);
    expect(names).toEqual(["a", "b"]);
  });

  it("prefers a pax path over a GNU long name over the header name", async () => {
    const pax = Buffer.from("17 path=from-pax\n");
    const gnu = Buffer.from("from-gnu\0");
    const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc(512 - b.length)]);
    const tar = Buffer.concat([
      headerBlock({
        name: "././@LongLink",
        mode: 0,
        size: gnu.length,
        mtime: 0,
        typeflag: "L",
        linkname: "",
        gnu: true,
      }),
      pad(gnu),
      headerBlock({ name: "h", mode: 0, size: pax.length, mtime: 0, typeflag: "x", linkname: "" }),
      pad(pax),
      headerBlock({ name: "from-header", mode: 0o644, size: 0, mtime: 0, typeflag: "0", linkname: "" }),
      headerBlock({
        name: "././@LongLink",
        mode: 0,
        size: gnu.length,
        mtime: 0,
        typeflag: "L",
        linkname: "",
        gnu: true,
      }),
      pad(gnu),
      headerBlock({ name: "from-header", mode: 0o644, size: 0, mtime: 0, typeflag: "0", linkname: "" }),
      headerBlock({ name: "plain", mode: 0o644, size: 0, mtime: 0, typeflag: "0", linkname: "" }),
      Buffer.alloc(1024),
    ]);
    expect((await collect(tar)).map((e) => e.path)).toEqual(["from-pax", "from-gnu", "plain"]);
  });

  it("treats an old-style name ending in / as a directory", async () => {
    const tar = Buffer.concat([
      headerBlock({ name: "old/", mode: 0o755, size: 0, mtime: 0, typeflag: "\0", linkname: "" }),
      Buffer.alloc(1024),
    ]);
    expect((await collect(tar))[0]?.type).toBe("directory");
  });

  it("refuses a metadata member larger than 1 MiB", async () => {
    const tar = Buffer.concat([
      headerBlock({ name: "h", mode: 0, size: 2 << 20, mtime: 0, typeflag: "x", linkname: "" }),
    ]);
    const err = await collect(tar).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArchiveError);
    expect((err as ArchiveError).message).toMatch(/mem\.tar: pax header of 2097152 bytes exceeds/);
  });
});

describe("member path rules", () => {
  it("splits names, dropping ./ and empty parts, refusing absolute and ..", () => {
    expect(splitMemberPath("./images//a.jpg")).toEqual({ ok: true, parts: ["images", "a.jpg"] });
    expect(splitMemberPath("./")).toEqual({ ok: true, parts: [] });
    expect(splitMemberPath("a/../b")).toEqual({ ok: false, why: 'contains a ".." component' });
    expect(splitMemberPath("/etc/passwd")).toEqual({ ok: false, why: "is an absolute path" });
    expect(splitMemberPath("C:/x")).toEqual({ ok: false, why: "starts with a drive letter" });
  });

  it("resolves link targets through other links like the kernel would", () => {
    const links = new Map([
      ["p/q/a", "../.."], // -> root
      ["loop", "loop"],
    ]);
    expect(resolveLink(["x", "l"], "../y/z", links)).toEqual(["y", "z"]);
    expect(resolveLink(["l"], "p/q/a/inside", links)).toEqual(["inside"]);
    expect(resolveLink(["l"], "p/q/a/..", links)).toBeNull(); // lexically p/q, physically the root's parent
    expect(resolveLink(["l"], "loop", links)).toBeNull();
    expect(resolveLink(["l"], "/abs", links)).toBeNull();
  });
});
