import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ArchiveError } from "../archive/errors.js";
import { type WriteEntry, writeTar, writeTgz } from "../archive/test-tar-writer.js";
import { DownloadError } from "../download/errors.js";
import { DATA_HOME_ENV, dataHome } from "./cache.js";
import { startServer, type TestServer } from "./test-server.js";
import { untarData } from "./untar-data.js";

const PETS_PATH = "/fast-ai-imageclas/oxford-iiit-pet.tgz";
const image = randomBytes(40_000); // incompressible: "half the archive" is many chunks

const petsEntries: WriteEntry[] = [
  { path: "oxford-iiit-pet/", type: "directory" },
  { path: "oxford-iiit-pet/images/Abyssinian_1.jpg", data: image },
  { path: "oxford-iiit-pet/images/beagle_2.jpg", data: "dog" },
  { path: "oxford-iiit-pet/annotations/list.txt", data: "Abyssinian_1 1 1 1\n", mode: 0o640 },
];
const petsTgz = writeTgz(petsEntries);
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

let base: string;
let server: TestServer;
beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), "sched-untar-"));
  server = await startServer({ [PETS_PATH]: { body: petsTgz } });
});
afterEach(async () => {
  await server.close();
  await rm(base, { recursive: true, force: true });
});

async function expectPets(dir: string): Promise<void> {
  expect(dir).toBe(join(base, "oxford-iiit-pet"));
  expect((await readdir(dir)).sort()).toEqual(["annotations", "images"]);
  expect(Buffer.compare(await readFile(join(dir, "images/Abyssinian_1.jpg")), image)).toBe(0);
  expect(await readFile(join(dir, "annotations/list.txt"), "utf8")).toBe("Abyssinian_1 1 1 1\n");
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof Error)) throw new Error("expected a rejection");
  return err;
}

describe("untarData", () => {
  it("downloads, extracts, unwraps the single top folder, and leaves no temporary files", async () => {
    const dir = await untarData(server.url(PETS_PATH), { base });
    await expectPets(dir);
    expect(await readdir(base)).toEqual(["oxford-iiit-pet"]);
    expect(server.requests).toEqual([PETS_PATH]);
  });

  it("returns the cached folder on a second call without any network (server closed)", async () => {
    const url = server.url(PETS_PATH);
    const first = await untarData(url, { base });
    await server.close();
    const second = await untarData(url, { base });
    expect(second).toBe(first);
    await expectPets(second);
    expect(server.requests).toHaveLength(1);
  });

  it("re-downloads with force and replaces the folder", async () => {
    const url = server.url(PETS_PATH);
    await untarData(url, { base });
    server.routes.set(PETS_PATH, { body: writeTgz([{ path: "oxford-iiit-pet/new.txt", data: "v2" }]) });
    const dir = await untarData(url, { base, force: true });
    expect(await readdir(dir)).toEqual(["new.txt"]);
    expect(await readdir(base)).toEqual(["oxford-iiit-pet"]);
    expect(server.requests).toHaveLength(2);
  });

  it("leaves nothing behind when the connection is cut halfway, and the next call succeeds", async () => {
    const url = server.url(PETS_PATH);
    server.routes.set(PETS_PATH, { body: petsTgz, cutAfter: Math.floor(petsTgz.length / 2) });
    const err = await failure(untarData(url, { base }));
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as DownloadError).reason).toBe("network");
    expect(err.message).toContain(url);
    expect(err.message).toMatch(/connection lost after \d+ of \d+ bytes/);
    expect(await readdir(base)).toEqual([]);

    server.routes.set(PETS_PATH, { body: petsTgz });
    await expectPets(await untarData(url, { base }));
    expect(await readdir(base)).toEqual(["oxford-iiit-pet"]);
  });

  it("detects a short body without Content-Length through the expected size", async () => {
    const url = server.url(PETS_PATH);
    server.routes.set(PETS_PATH, { body: petsTgz.subarray(0, 1000), noLength: true });
    const err = await failure(untarData(url, { base, size: petsTgz.length }));
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as DownloadError).reason).toBe("size");
    expect(err.message).toContain(`got 1000 bytes, expected ${petsTgz.length}`);
    expect(await readdir(base)).toEqual([]);
  });

  it("refuses a corrupt gzip with an ArchiveError naming the URL, leaving nothing behind", async () => {
    const bad = Buffer.from(petsTgz);
    bad.fill(0x55, 30, 90);
    server.routes.set(PETS_PATH, { body: bad });
    const url = server.url(PETS_PATH);
    const err = await failure(untarData(url, { base }));
    expect(err).toBeInstanceOf(ArchiveError);
    expect((err as ArchiveError).reason).toBe("gzip");
    expect(err.message).toContain(`Cannot extract ${url}`);
    expect(await readdir(base)).toEqual([]);
  });

  it("refuses a truncated tar", async () => {
    const tar = writeTar(petsEntries);
    server.routes.set("/cut.tar", { body: tar.subarray(0, 512 * 5 + 100) });
    const err = await failure(untarData(server.url("/cut.tar"), { base }));
    expect(err).toBeInstanceOf(ArchiveError);
    expect((err as ArchiveError).reason).toBe("truncated");
    expect(await readdir(base)).toEqual([]);
  });

  const hostile: Array<[string, WriteEntry]> = [
    ["../x", { path: "../x", data: "x" }],
    ["/abs", { path: "/tmp/sched-untar-abs", data: "x" }],
    ["symlink to ../../etc", { path: "d/etc", type: "symlink", linkpath: "../../etc" }],
    ["hardlink outside", { path: "h", type: "hardlink", linkpath: "../../outside" }],
    ["device file", { path: "null", type: "char-device" }],
  ];
  for (const [what, entry] of hostile) {
    it(`refuses an archive with ${what}, leaving nothing behind`, async () => {
      server.routes.set("/evil.tgz", { body: writeTgz([{ path: "ok.txt", data: "ok" }, entry]) });
      const err = await failure(untarData(server.url("/evil.tgz"), { base }));
      expect(err).toBeInstanceOf(ArchiveError);
      expect((err as ArchiveError).entry).toBe(entry.path);
      expect(await readdir(base)).toEqual([]);
    });
  }

  it("verifies a SHA-256: the right one passes, a wrong one fails and leaves nothing", async () => {
    const url = server.url(PETS_PATH);
    const wrong = "0".repeat(64);
    const err = await failure(untarData(url, { base, sha256: wrong }));
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as DownloadError).reason).toBe("checksum");
    expect(err.message).toContain(`expected ${wrong}, got ${sha(petsTgz)}`);
    expect(await readdir(base)).toEqual([]);
    await expectPets(
      await untarData(url, { base, sha256: sha(petsTgz).toUpperCase(), size: petsTgz.length }),
    );
  });

  it("turns a 404 into a DownloadError with the status and the URL", async () => {
    const url = server.url("/missing.tgz");
    const err = await failure(untarData(url, { base }));
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as DownloadError).status).toBe(404);
    expect(err.message).toBe(`Download of ${url} failed: HTTP 404 Not Found`);
    expect(await readdir(base)).toEqual([]);
  });

  it("follows redirects and names the folder after the requested URL", async () => {
    server.routes.set("/moved/pets.tgz", { redirectTo: PETS_PATH });
    const dir = await untarData(server.url("/moved/pets.tgz"), { base, progress: true });
    expect(dir).toBe(join(base, "pets"));
    expect(await readdir(join(base, "pets"))).toContain("images");
    expect(server.requests).toEqual(["/moved/pets.tgz", PETS_PATH]);
  });

  it("stops redirect loops", async () => {
    server.routes.set("/loop.tgz", { redirectTo: "/loop.tgz" });
    const err = await failure(untarData(server.url("/loop.tgz"), { base, maxRedirects: 3 }));
    expect((err as DownloadError).reason).toBe("redirect");
    expect(err.message).toMatch(/more than 3 redirects/);
  });

  it("times out a stalled download and leaves nothing behind", async () => {
    server.routes.set(PETS_PATH, { body: petsTgz, stallAfter: 1000 });
    const err = await failure(untarData(server.url(PETS_PATH), { base, timeoutMs: 300 }));
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as DownloadError).reason).toBe("timeout");
    expect(err.message).toMatch(/no data for 300 ms/);
    expect(await readdir(base)).toEqual([]);
  });

  it("stops when the caller aborts, leaving nothing behind", async () => {
    server.routes.set(PETS_PATH, { body: petsTgz, stallAfter: 1000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const err = await failure(untarData(server.url(PETS_PATH), { base, signal: controller.signal }));
    expect(err).toBeInstanceOf(DownloadError);
    expect((err as DownloadError).reason).toBe("aborted");
    expect(await readdir(base)).toEqual([]);
  });

  it("does not decompress a body served with Content-Encoding: gzip", async () => {
    server.routes.set(PETS_PATH, { body: petsTgz, headers: { "content-encoding": "gzip" } });
    await expectPets(await untarData(server.url(PETS_PATH), { base, sha256: sha(petsTgz) }));
  });

  it("shares one download between concurrent calls", async () => {
    const url = server.url(PETS_PATH);
    const dirs = await Promise.all([
      untarData(url, { base }),
      untarData(url, { base }),
      untarData(url, { base }),
    ]);
    expect(new Set(dirs)).toEqual(new Set([join(base, "oxford-iiit-pet")]));
    expect(server.requests).toEqual([PETS_PATH]);
  });

  it("refuses a destination that is a file, before any download", async () => {
    const dest = join(base, "taken");
    await writeFile(dest, "not a folder");
    const err = await failure(untarData(server.url(PETS_PATH), { dest }));
    expect(err).toBeInstanceOf(ArchiveError);
    expect(err.message).toContain(`destination ${dest} exists and is not a directory`);
    expect(server.requests).toEqual([]);
  });

  it("treats a symlink to a folder as the cached dataset", async () => {
    const real = join(base, "real-pets");
    await untarData(server.url(PETS_PATH), { dest: real });
    await symlink(real, join(base, "oxford-iiit-pet"));
    expect(await untarData(server.url(PETS_PATH), { base })).toBe(join(base, "oxford-iiit-pet"));
    expect(server.requests).toHaveLength(1);
  });

  it("honours dest", async () => {
    const dest = join(base, "elsewhere", "pets-copy");
    expect(await untarData(server.url(PETS_PATH), { dest })).toBe(dest);
    expect((await readdir(dest)).sort()).toEqual(["annotations", "images"]);
  });

  it("uses $SCHED_DATA_HOME when no base is given", async () => {
    const saved = process.env[DATA_HOME_ENV];
    process.env[DATA_HOME_ENV] = base;
    try {
      expect(dataHome()).toBe(base);
      await expectPets(await untarData(server.url(PETS_PATH)));
    } finally {
      if (saved === undefined) delete process.env[DATA_HOME_ENV];
      else process.env[DATA_HOME_ENV] = saved;
    }
    expect(dataHome({})).toMatch(/\.sched[\\/]data$/);
  });

  it("extracts a local file: URL, verified the same way", async () => {
    const file = join(base, "pets-local.tgz");
    await writeFile(file, petsTgz);
    const url = pathToFileURL(file).href;
    const dir = await untarData(url, { base, sha256: sha(petsTgz) });
    expect(dir).toBe(join(base, "pets-local"));
    const err = await failure(untarData(url, { dest: join(base, "again"), size: 12 }));
    expect((err as DownloadError).reason).toBe("size");
    expect((await readdir(base)).sort()).toEqual(["pets-local", "pets-local.tgz"]);
  });

  it("removes temporary files left by a process that died", async () => {
    const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"]);
    const deadPid = child.stdout.toString();
    await writeFile(join(base, `.oxford-iiit-pet.${deadPid}-0123abcd.part`), "partial");
    await writeFile(join(base, `.oxford-iiit-pet.${process.pid}-0123abcd.part`), "ours, alive");
    await untarData(server.url(PETS_PATH), { base });
    expect((await readdir(base)).sort()).toEqual([
      `.oxford-iiit-pet.${process.pid}-0123abcd.part`,
      "oxford-iiit-pet",
    ]);
  });

  it("rejects bad arguments with messages naming them", async () => {
    await expect(untarData("not a url", { base })).rejects.toThrow(
      new TypeError('untarData: url must be an http(s) or file URL, got "not a url"'),
    );
    await expect(untarData("ftp://x/y.tgz", { base })).rejects.toThrow(TypeError);
    await expect(untarData(server.url(PETS_PATH), { base, sha256: "abc" })).rejects.toThrow(
      /opts\.sha256 must be 64 hex digits, got "abc"/,
    );
    await expect(untarData(server.url(PETS_PATH), { base, size: -1 })).rejects.toThrow(RangeError);
    await expect(untarData(server.url("/"), { base })).rejects.toThrow(/cannot name a folder after url/);
    expect(server.requests).toEqual([]);
  });
});
