import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initBackend } from "@sched/learner";
import { suggestionLabel } from "@sched/plot";
import * as tf from "@tensorflow/tfjs";
import { afterEach, describe, expect, it } from "vitest";
import { USAGE } from "./args.js";
import { main, PETS_URL_ENV } from "./demo.js";
import { generatePets } from "./pets.js";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const FIGURES = ["lr-find", "schedule", "loss"].flatMap((f) => [`optdigits-${f}.png`, `pets-${f}.png`]);
const temps: string[] = [];

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

/** Runs main, collecting what it prints on each stream. */
async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { print: (l) => out.push(l), printError: (l) => err.push(l) });
  return { code, out, err };
}

/** A loopback port nothing listens on (bound, then closed): connecting to it is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(buf: Buffer): [number, number] {
  return [buf.readUInt32BE(16), buf.readUInt32BE(20)];
}

// ResNets are ~100× slower without the native backend: give the end-to-end run time there.
const backend = await initBackend();
const RUN_TIMEOUT = backend === "tensorflow" ? 120_000 : 3_600_000;

afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("demo --quick", { timeout: RUN_TIMEOUT }, () => {
  it("prints the backend, writes valid PNGs and a report with the figures, tables and suggestions, leaks no tensor", async () => {
    const outDir = join(tempDir("demo-out-"), "nested", "out"); // created by the demo
    const before = tf.memory().numTensors;
    const { code, out, err } = await run(["--quick", "--out", outDir]);
    expect(tf.memory().numTensors).toBe(before);
    expect(err).toEqual([]);
    expect(code).toBe(0);

    expect(out[0]).toMatch(/^backend: (tensorflow|wasm|cpu) /);
    expect(out[0]?.split(" ")[1]).toBe(tf.getBackend());
    expect(out).toContain(`out: ${outDir}`);
    expect(out.at(-1)).toMatch(/^done in \d+\.\d s$/);
    expect(out.some((l) => /^images: (Oxford-IIIT Pet sample \(real photos\)|generated)$/.test(l))).toBe(
      true,
    );

    expect(
      readdirSync(outDir)
        .filter((f) => f.endsWith(".png"))
        .sort(),
    ).toEqual([...FIGURES].sort());
    for (const name of FIGURES) {
      const buf = readFileSync(join(outDir, name));
      expect(buf.subarray(0, 8).equals(PNG_SIGNATURE), name).toBe(true);
      const [w, h] = pngSize(buf);
      expect(w, name).toBeGreaterThan(400);
      expect(h, name).toBeGreaterThan(200);
      expect(out).toContain(`wrote ${join(outDir, name)}`);
    }

    const html = readFileSync(join(outDir, "report.html"), "utf8");
    expect(html.startsWith("<!doctype html>")).toBe(true);
    expect(html.match(/<svg[\s>]/g)?.length).toBe(6); // 3 figures per part
    for (const heading of ["optdigits: LR finder", "optdigits: one-cycle schedule", "Pets: losses"]) {
      expect(html).toContain(`<h2>${heading}</h2>`);
    }
    // The epoch tables: quick mode fits one epoch per part.
    expect(html).toContain("<th>epoch</th><th>train_loss</th><th>valid_loss</th><th>accuracy</th>");
    expect(html).toContain("<th>epoch</th><th>train_loss</th><th>valid_loss</th><th>error_rate</th>");
    expect(html).toContain("Epoch table (1 epoch)");

    // Every suggestion printed is labelled on its LR-finder plot. The MLP run is deterministic
    // (seeded, no dropout) and always gets all five; the ResNet's head has unseeded dropout.
    const printed = out.flatMap((l) => {
      const m = /^ {2}(halfway|valley|slide|minimum|steep) +(\S+) {3}\(loss/.exec(l);
      return m ? [{ name: m[1] as string, lr: m[2] as string }] : [];
    });
    expect(printed.slice(0, 5).map((s) => s.name)).toEqual([
      "halfway",
      "valley",
      "slide",
      "minimum",
      "steep",
    ]);
    // Coincident suggestions share a label ("slide, steep 6.31e-7"): the name is in the list before the LR.
    for (const { name, lr } of printed) {
      const [, lrLabel] = suggestionLabel(name, Number(lr)).split(" ");
      expect(html).toMatch(new RegExp(`>(\\w+, )*${name}(, \\w+)* ${lrLabel?.replace(".", "\\.")}<`));
    }
    // The digits fit trains at the printed halfway suggestion (lrFind's default).
    expect(out).toContain(`fitOneCycle: 1 epoch, lrMax ${printed[0]?.lr} (halfway suggestion)`);
  });
});

describe("demo --pets", { timeout: RUN_TIMEOUT }, () => {
  const saved = { url: process.env[PETS_URL_ENV], home: process.env.SCHED_DATA_HOME };
  afterEach(() => {
    for (const [key, value] of [
      [PETS_URL_ENV, saved.url],
      ["SCHED_DATA_HOME", saved.home],
    ] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it("downloads from the (loopback) URL, skips an unreadable file with a warning, trains and reports", async () => {
    // An archive laid out like Oxford Pets: oxford-iiit-pet/images/*.jpg, plus one broken "photo".
    const src = tempDir("demo-archive-");
    await generatePets(join(src, "oxford-iiit-pet", "images"), 2);
    writeFileSync(join(src, "oxford-iiit-pet", "images", "Broken_1.jpg"), "not a jpeg");
    execFileSync("tar", ["-czf", join(src, "pets.tgz"), "-C", src, "oxford-iiit-pet"]);
    const archive = readFileSync(join(src, "pets.tgz"));
    const server = createHttpServer((_req, res) => {
      res.writeHead(200, { "content-length": archive.length }).end(archive);
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    try {
      const { port } = server.address() as { port: number };
      const home = tempDir("demo-data-");
      process.env[PETS_URL_ENV] = `http://127.0.0.1:${port}/oxford-iiit-pet.tgz`;
      process.env.SCHED_DATA_HOME = home;
      const outDir = join(tempDir("demo-out-"), "out");
      const before = tf.memory().numTensors;
      const { code, out, err } = await run(["--pets", "--quick", "--out", outDir]);
      expect(err).toEqual([]);
      expect(code).toBe(0);
      expect(tf.memory().numTensors).toBe(before);
      expect(readdirSync(home)).toEqual(["oxford-iiit-pet"]);
      expect(out).toContain("images: Oxford-IIIT Pet (untarData)");
      expect(out.some((l) => l.includes("Broken_1.jpg"))).toBe(true); // the skip warning names the file
      expect(out).toContain(
        "loaders: 20 training and 4 validation images, labels cat/dog, Resize(32) crop, batch 16",
      );
      const html = readFileSync(join(outDir, "report.html"), "utf8");
      expect(html).toContain("(25 of its 25 image files, evenly spread; CC BY-SA 4.0)");
      expect(existsSync(join(outDir, "pets-loss.png"))).toBe(true);
    } finally {
      await new Promise<void>((done) => server.close(() => done()));
    }
  });

  it("fails with one line naming the URL and the cause, exit 1, nothing in the cache or out", async () => {
    const home = tempDir("demo-data-");
    const outDir = join(tempDir("demo-out-"), "out");
    const url = `http://127.0.0.1:${await closedPort()}/oxford-iiit-pet.tgz`;
    process.env[PETS_URL_ENV] = url;
    process.env.SCHED_DATA_HOME = home;
    const before = tf.memory().numTensors;
    const { code, out, err } = await run(["--pets", "--out", outDir]);
    expect(code).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(
      /^demo: --pets: cannot get the Oxford-IIIT Pet dataset: Download of http:\/\/127\.0\.0\.1:\d+\/oxford-iiit-pet\.tgz failed: .*ECONNREFUSED/,
    );
    expect(err[0]).toContain(url);
    expect(err[0]).not.toContain("\n");
    expect(out).toHaveLength(1); // the backend line, nothing trained
    expect(readdirSync(home)).toEqual([]); // no dataset folder, no .part or .tmp leftovers
    expect(existsSync(outDir)).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("demo flags", () => {
  it("--help prints the usage and exits 0 without training", async () => {
    const { code, out, err } = await run(["--help"]);
    expect(code).toBe(0);
    expect(out).toEqual([USAGE]);
    expect(err).toEqual([]);
  });

  it("an unknown flag prints the problem and the usage, exit 2", async () => {
    const { code, out, err } = await run(["--quick", "--fast"]);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toEqual([`demo: unknown argument "--fast"\n\n${USAGE}`]);
  });
});
