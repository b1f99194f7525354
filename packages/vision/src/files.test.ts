import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getImageFiles, ImageFilesError } from "./files.js";

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "sched-files-"));
  const files = [
    "b.JPG",
    "a.jpeg",
    "notes.txt",
    "noext",
    ".hidden.jpg",
    ".cache/x.png",
    "cats/Birman_2.png",
    "cats/Birman_10.png",
    "cats/deep/z.TIFF",
    "dogs/beagle_1.webp",
    "dogs/beagle_1.gif",
    "dogs/readme.md",
    "other/q.bmp",
    "other/r.tif",
  ];
  for (const f of files) {
    await mkdir(join(root, f, ".."), { recursive: true });
    await writeFile(join(root, f), "x");
  }
  await symlink("../cats", join(root, "dogs", "loop")); // a folder reached twice must be listed once
  await symlink("missing.jpg", join(root, "dangling.jpg"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const rel = (paths: string[]) => paths.map((p) => p.slice(root.length + 1));

describe("getImageFiles", () => {
  it("lists images recursively, case-insensitively, skipping hidden entries, sorted by code units", async () => {
    expect(rel(await getImageFiles(root))).toEqual([
      "a.jpeg",
      "b.JPG",
      "cats/Birman_10.png",
      "cats/Birman_2.png",
      "cats/deep/z.TIFF",
      "dogs/beagle_1.gif",
      "dogs/beagle_1.webp",
      "other/q.bmp",
      "other/r.tif",
    ]);
  });

  it("returns absolute paths and the same list for a relative path", async () => {
    const abs = await getImageFiles(root);
    expect(abs.every((p) => p.startsWith(`${root}/`))).toBe(true);
    const relative = join(root, "..", root.split("/").pop() as string, ".");
    expect(await getImageFiles(relative)).toEqual(abs);
  });

  it("does not descend with recurse: false", async () => {
    expect(rel(await getImageFiles(root, { recurse: false }))).toEqual(["a.jpeg", "b.JPG"]);
  });

  it("descends only into the listed first-level folders (root files still listed)", async () => {
    expect(rel(await getImageFiles(root, { folders: ["dogs", "other"] }))).toEqual([
      "a.jpeg",
      "b.JPG",
      "dogs/beagle_1.gif",
      "dogs/beagle_1.webp",
      "dogs/loop/Birman_10.png",
      "dogs/loop/Birman_2.png",
      "dogs/loop/deep/z.TIFF",
      "other/q.bmp",
      "other/r.tif",
    ]);
  });

  it("accepts other extensions", async () => {
    expect(rel(await getImageFiles(root, { extensions: [".TXT", ".md"] }))).toEqual([
      "dogs/readme.md",
      "notes.txt",
    ]);
  });

  it("names a missing path or a file in a typed error", async () => {
    const missing = join(root, "nope");
    await expect(getImageFiles(missing)).rejects.toThrow(new ImageFilesError(missing, "does not exist"));
    await expect(getImageFiles(missing)).rejects.toThrow(`getImageFiles: path "${missing}" does not exist`);
    await expect(getImageFiles(join(root, "notes.txt"))).rejects.toThrow(/notes\.txt" is not a directory/);
  });
});
