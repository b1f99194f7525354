import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { getImageFiles } from "@sched/vision";
import sharp from "sharp";
import { afterEach, describe, expect, it } from "vitest";
import { generatePets, localPets, petLabel, spread } from "./pets.js";

const temps: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "demo-pets-"));
  temps.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("petLabel (fastai's Pets rule)", () => {
  it("a capitalised file name is a cat, anything else a dog", () => {
    expect(petLabel("Abyssinian_12.jpg")).toBe("cat");
    expect(petLabel("British_Shorthair_10.jpg")).toBe("cat");
    expect(petLabel("beagle_10.jpg")).toBe("dog");
    expect(petLabel("_x.jpg")).toBe("dog");
    expect(petLabel("1.jpg")).toBe("dog");
  });
});

describe("generatePets", () => {
  it("writes decodable JPEGs in the Pets naming scheme, half cats, the same bytes for the same seed", async () => {
    const [a, b] = [join(tempDir(), "pets"), join(tempDir(), "pets")];
    const files = await generatePets(a, 2);
    await generatePets(b, 2);
    expect(files).toHaveLength(24);
    expect(readdirSync(a).sort()).toEqual(files.map((f) => basename(f)).sort());
    expect(files.filter((f) => petLabel(basename(f)) === "cat")).toHaveLength(12);
    expect(files.every((f) => /^[A-Za-z_]+_[12]\.jpg$/.test(basename(f)))).toBe(true);
    for (const f of files) {
      expect(readFileSync(f).equals(readFileSync(join(b, basename(f)))), f).toBe(true);
      const meta = await sharp(f).metadata();
      expect(meta.format).toBe("jpeg");
      expect(meta.width).toBeGreaterThanOrEqual(96);
      expect(meta.height).toBeLessThan(160);
    }
    expect(readdirSync(join(a, ".."))).toEqual(["pets"]); // the temporary folder was renamed away
  });

  it("replaces an older generated folder", async () => {
    const dir = join(tempDir(), "pets");
    await generatePets(dir, 2);
    expect(await generatePets(dir, 1)).toHaveLength(12);
    expect(readdirSync(dir)).toHaveLength(12);
  });
});

describe("localPets", () => {
  it("uses the sample folder when it exists", async () => {
    const sample = tempDir();
    await generatePets(join(sample, "photos"), 1);
    const src = await localPets(tempDir(), 2, sample);
    expect(src.kind).toBe("sample");
    expect(src.files).toEqual(await getImageFiles(sample));
  });

  it("generates images under the out folder when the sample is absent, and says so", async () => {
    const out = tempDir();
    const missing = join(out, "no-such-sample");
    const src = await localPets(out, 1, missing);
    expect(src.kind).toBe("generated");
    expect(src.path).toBe(join(out, "generated-pets"));
    expect(src.files).toHaveLength(12);
    expect(src.description).toContain(`${missing} is absent`);
  });
});

describe("spread", () => {
  it("takes n items evenly over the list, or all of a shorter list", () => {
    expect(spread([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 4)).toEqual([0, 2, 5, 7]);
    expect(spread([1, 2], 5)).toEqual([1, 2]);
  });
});
