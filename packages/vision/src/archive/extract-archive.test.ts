import { randomBytes } from "node:crypto";
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ArchiveError } from "./errors.js";
import { extractArchive } from "./extract-archive.js";
import { headerBlock, type WriteEntry, writeTar, writeTgz } from "./test-tar-writer.js";

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), "fixtures");
const LONG_GNU_PATH =
  "a-rather-long-folder-name-that-keeps-going/a-rather-long-folder-name-that-keeps-going/and-then-some-more-characters/image-with-a-long-name-to-push-past-one-hundred-bytes.txt";

let work: string;
let out: string; // parent of the destinations: must hold nothing but what a test expects
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), "sched-archive-"));
  out = join(work, "out");
  await mkdir(out);
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function archiveFile(name: string, bytes: Uint8Array): Promise<string> {
  const file = join(work, name);
  await writeFile(file, bytes);
  return file;
}

const mode = async (p: string) => (await stat(p)).mode & 0o7777;

describe("extractArchive on archives written by GNU tar", () => {
  for (const format of ["gnu", "pax"]) {
    it(`reads the ${format} format: long names, modes, links, mtimes; unwraps the single top folder`, async () => {
      const dest = await extractArchive(join(FIXTURES, `gnutar-${format}.tgz`), join(out, "dataset"));
      expect(dest).toBe(join(out, "dataset"));
      expect((await readdir(dest)).sort()).toEqual([
        "a-rather-long-folder-name-that-keeps-going",
        "empty-dir",
        "hard-readme.txt",
        "link-to-readme",
        "readme.txt",
        "run.sh",
      ]);
      expect(await readFile(join(dest, "readme.txt"), "utf8")).toBe("hello from GNU tar\n");
      expect(await readFile(join(dest, LONG_GNU_PATH), "utf8")).toBe("long path content\n");
      expect(await mode(join(dest, "readme.txt"))).toBe(0o640);
      expect(await mode(join(dest, "run.sh"))).toBe(0o755);
      expect(await mode(join(dest, "empty-dir"))).toBe(0o750);
      expect(await readlink(join(dest, "link-to-readme"))).toBe("readme.txt");
      const [a, b] = await Promise.all([stat(join(dest, "readme.txt")), stat(join(dest, "hard-readme.txt"))]);
      expect(a.ino).toBe(b.ino);
      expect(a.mtime.toISOString()).toBe("2024-01-02T03:04:05.000Z");
      expect(await readdir(out)).toEqual(["dataset"]);
    });
  }
});

describe("extractArchive on archives from the test writer", () => {
  const longDir = `${"x".repeat(60)}/${"y".repeat(60)}`;
  const longFile = `${longDir}/${"z".repeat(50)}.bin`;
  const binary = randomBytes(300_000); // several gzip/read chunks and a partial last block

  const entries: WriteEntry[] = [
    { path: "top/", type: "directory", mode: 0o755 },
    { path: `top/${longDir}/`, type: "directory" },
    { path: `top/${longFile}`, data: binary, mode: 0o600 },
    { path: "top/exec", data: "#!/bin/sh\n", mode: 0o751 },
    { path: "top/empty.txt", data: "" },
  ];
  // ustar has no long link names: its symlink stays under 100 bytes; pax/GNU get a 182-byte target.
  const withLink = (longNames: string): WriteEntry[] => [
    ...entries,
    {
      path: `top/${longDir}/link`,
      type: "symlink",
      linkpath: longNames === "ustar" ? `${"z".repeat(50)}.bin` : `../../${longFile}`,
    },
  ];

  for (const longNames of ["pax", "gnu", "ustar"] as const) {
    it(`extracts ${longNames} long names, exact bytes and modes`, async () => {
      const file = await archiveFile("a.tgz", writeTgz(withLink(longNames), { longNames }));
      const dest = await extractArchive(file, join(out, "ds"));
      expect(Buffer.compare(await readFile(join(dest, longFile)), binary)).toBe(0);
      expect(await mode(join(dest, longFile))).toBe(0o600);
      expect(await mode(join(dest, "exec"))).toBe(0o751);
      expect((await readFile(join(dest, "empty.txt"))).length).toBe(0);
      expect(Buffer.compare(await readFile(join(dest, longDir, "link")), binary)).toBe(0);
    });
  }

  it("streams files larger than the in-memory threshold with exact bytes and mode", async () => {
    const big = randomBytes(3 * 1024 * 1024 + 17);
    const file = await archiveFile(
      "big.tgz",
      writeTgz([
        { path: "big.bin", data: big, mode: 0o604 },
        { path: "after.txt", data: "z" },
      ]),
    );
    const dest = await extractArchive(file, join(out, "big"));
    expect(Buffer.compare(await readFile(join(dest, "big.bin")), big)).toBe(0);
    expect(await mode(join(dest, "big.bin"))).toBe(0o604);
    expect(await readFile(join(dest, "after.txt"), "utf8")).toBe("z");
  });

  it("reads an uncompressed .tar the same way", async () => {
    const file = await archiveFile("a.tar", writeTar(entries));
    const dest = await extractArchive(file, join(out, "plain"));
    expect(Buffer.compare(await readFile(join(dest, longFile)), binary)).toBe(0);
  });

  it("keeps several top-level entries inside the destination instead of unwrapping", async () => {
    const file = await archiveFile(
      "a.tgz",
      writeTgz([
        { path: "one/a.txt", data: "1" },
        { path: "b.txt", data: "2" },
      ]),
    );
    const dest = await extractArchive(file, join(out, "multi"));
    expect((await readdir(dest)).sort()).toEqual(["b.txt", "one"]);
    expect(await readFile(join(dest, "one/a.txt"), "utf8")).toBe("1");
  });

  it("does not unwrap a single top-level file", async () => {
    const file = await archiveFile("a.tgz", writeTgz([{ path: "only.txt", data: "x" }]));
    const dest = await extractArchive(file, join(out, "single"));
    expect(await readdir(dest)).toEqual(["only.txt"]);
  });

  it("applies pax global headers to later entries and lets later members replace earlier files", async () => {
    const global = Buffer.from("22 mtime=1600000000.5\n", "utf8");
    const g = headerBlock({
      name: "pax_global_header",
      mode: 0o644,
      size: global.length,
      mtime: 0,
      typeflag: "g",
      linkname: "",
    });
    const body = writeTar([
      { path: "d/f.txt", data: "first" },
      { path: "d/f.txt", data: "second" },
    ]);
    const pad = new Uint8Array(512 - global.length);
    const file = await archiveFile("g.tar", Buffer.concat([g, global, pad, body]));
    const dest = await extractArchive(file, join(out, "g"));
    expect(await readFile(join(dest, "f.txt"), "utf8")).toBe("second");
    expect((await stat(join(dest, "f.txt"))).mtimeMs).toBe(1600000000500);
  });

  it("returns an existing destination untouched, and replaces it with force", async () => {
    const dest = join(out, "ds");
    await mkdir(dest);
    await writeFile(join(dest, "mine.txt"), "keep");
    const file = await archiveFile("a.tgz", writeTgz([{ path: "new.txt", data: "fresh" }]));
    expect(await extractArchive(file, dest)).toBe(dest);
    expect(await readdir(dest)).toEqual(["mine.txt"]);
    await extractArchive(file, dest, { force: true });
    expect(await readdir(dest)).toEqual(["new.txt"]);
    expect(await readdir(out)).toEqual(["ds"]);
  });

  it("keeps the old destination when a forced re-extraction fails", async () => {
    const dest = join(out, "ds");
    await mkdir(dest);
    await writeFile(join(dest, "mine.txt"), "keep");
    const file = await archiveFile("bad.tgz", writeTgz([{ path: "../evil", data: "x" }]));
    await expect(extractArchive(file, dest, { force: true })).rejects.toBeInstanceOf(ArchiveError);
    expect(await readdir(out)).toEqual(["ds"]);
    expect(await readFile(join(dest, "mine.txt"), "utf8")).toBe("keep");
  });
});

describe("extractArchive refuses corrupt archives and leaves nothing behind", () => {
  const good = () =>
    writeTar([
      { path: "d/a.txt", data: "a".repeat(5000) },
      { path: "d/b.txt", data: "b" },
    ]);

  async function expectRefused(bytes: Uint8Array, reason: string, message: RegExp): Promise<void> {
    const file = await archiveFile("bad.tgz", bytes);
    const err = await extractArchive(file, join(out, "ds")).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ArchiveError);
    expect((err as ArchiveError).reason).toBe(reason);
    expect((err as ArchiveError).message).toContain(file);
    expect((err as ArchiveError).message).toMatch(message);
    expect(await readdir(out)).toEqual([]);
  }

  it("bad gzip data", async () => {
    const gz = writeTgz([{ path: "a.txt", data: "x".repeat(10_000) }]);
    gz.fill(0xaa, 20, 60);
    await expectRefused(gz, "gzip", /gzip data is corrupt/);
  });

  it("a gzip stream cut short", async () => {
    const gz = writeTgz([{ path: "a.txt", data: randomBytes(20_000) }]);
    await expectRefused(gz.subarray(0, Math.floor(gz.length / 2)), "truncated", /gzip stream is truncated/);
  });

  it("a tar cut inside an entry", async () => {
    await expectRefused(good().subarray(0, 512 + 2048), "truncated", /archive ends/);
  });

  it("a tar without its end-of-archive marker", async () => {
    await expectRefused(
      writeTar([{ path: "a.txt", data: "x" }], { end: false }),
      "truncated",
      /end-of-archive/,
    );
  });

  it("a header whose checksum does not match", async () => {
    const tar = good();
    tar[3] = (tar[3] ?? 0) ^ 0x20; // flip a bit in the first member's name
    await expectRefused(tar, "header", /checksum mismatch.*byte 0/);
  });

  it("a zip file", async () => {
    await expectRefused(Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3, 4]), "format", /zip archive/);
  });

  it("an unsupported member type (GNU sparse)", async () => {
    await expectRefused(
      writeTar([{ path: "s", type: "raw", typeflag: "S" }]),
      "unsupported",
      /type flag "S"/,
    );
  });
});

describe("extractArchive refuses entries that escape the destination", () => {
  const cases: Array<[string, WriteEntry[], string, RegExp]> = [
    ["a ../ path", [{ path: "../x", data: "x" }], "unsafe-path", /"\.\." component/],
    ["a ../ hidden in the middle", [{ path: "a/../../x", data: "x" }], "unsafe-path", /"\.\." component/],
    ["an absolute path", [{ path: "/tmp/sched-abs", data: "x" }], "unsafe-path", /absolute path/],
    [
      "a symlink to ../../etc",
      [{ path: "d/etc", type: "symlink", linkpath: "../../etc" }],
      "unsafe-link",
      /outside/,
    ],
    [
      "an absolute symlink",
      [{ path: "passwd", type: "symlink", linkpath: "/etc/passwd" }],
      "unsafe-link",
      /absolute/,
    ],
    [
      "a file written through a symlink",
      [
        { path: "sub/", type: "directory" },
        { path: "d", type: "symlink", linkpath: "sub" },
        { path: "d/x", data: "x" },
      ],
      "unsafe-path",
      /through the symbolic link "d"/,
    ],
    [
      "a symlink redirected outside by a later symlink",
      [
        { path: "l", type: "symlink", linkpath: "x/.." },
        { path: "x", type: "symlink", linkpath: "." },
      ],
      "unsafe-link",
      /outside/,
    ],
    [
      "a symlink climbing out of the single top folder",
      [
        { path: "top/", type: "directory" },
        { path: "top/l", type: "symlink", linkpath: "../sibling" },
      ],
      "unsafe-link",
      /leaves the top-level folder "top"/,
    ],
    [
      "a hardlink outside",
      [{ path: "h", type: "hardlink", linkpath: "../outside.txt" }],
      "unsafe-link",
      /"\.\." component/,
    ],
    [
      "an absolute hardlink",
      [{ path: "h", type: "hardlink", linkpath: "/etc/passwd" }],
      "unsafe-link",
      /absolute/,
    ],
    [
      "a hardlink through a symlink",
      [
        { path: "s", type: "symlink", linkpath: "." },
        { path: "h", type: "hardlink", linkpath: "s/x" },
      ],
      "unsafe-link",
      /not a file extracted earlier/,
    ],
    ["a character device", [{ path: "tty", type: "char-device" }], "device", /special files/],
    ["a block device", [{ path: "sda", type: "block-device" }], "device", /special files/],
    ["a FIFO", [{ path: "pipe", type: "fifo" }], "device", /special files/],
  ];

  for (const [what, entries, reason, message] of cases) {
    it(what, async () => {
      const file = await archiveFile(
        "evil.tgz",
        writeTgz([{ path: "top/ok.txt", data: "fine" }, ...entries]),
      );
      const err = await extractArchive(file, join(out, "ds")).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ArchiveError);
      expect((err as ArchiveError).reason).toBe(reason);
      expect((err as ArchiveError).message).toMatch(message);
      expect(await readdir(out)).toEqual([]);
      expect(await lstat("/tmp/sched-abs").catch(() => undefined)).toBeUndefined();
      expect(await lstat(join(work, "outside.txt")).catch(() => undefined)).toBeUndefined();
    });
  }
});
