import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { initBackend } from "@sched/learner";
import type * as tf from "@tensorflow/tfjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RESNET_TEST_TIMEOUT } from "../data/test-pets.js";
import { startServer, type TestServer } from "../untar/test-server.js";
import { type ResNet, resnet18, resnet34 } from "./resnet.js";
import { loadWeights, saveWeights, WEIGHTS_FORMAT, WeightsError, type WeightsManifest } from "./weights.js";

let dir: string;
let server: TestServer;
let source: ResNet;
let sourceFile: string;

/** Every variable's raw bytes, by key ("bit-exact" compares these; Buffer.equals is a memcmp). */
const snapshot = (m: { entries(): Array<[string, tf.Variable]> }) =>
  new Map(
    m.entries().map(([k, v]) => {
      const d = v.dataSync();
      return [k, Buffer.from(d.buffer, d.byteOffset, d.byteLength)];
    }),
  );

function expectSame(a: Map<string, Buffer>, b: Map<string, Buffer>): void {
  expect([...a.keys()]).toEqual([...b.keys()]);
  const differing = [...a].filter(([k, bytes]) => !bytes.equals(b.get(k) as Buffer)).map(([k]) => k);
  expect(differing).toEqual([]);
}

beforeAll(async () => {
  await initBackend();
  dir = await mkdtemp(join(tmpdir(), "sched-weights-"));
  server = await startServer();
  source = resnet18({ seed: 1, includeTop: false });
  // Non-default running statistics, so buffers are checked too.
  for (const [k, v] of source.entries()) if (k.endsWith("running_var")) v.assign(v.add(0.25));
  sourceFile = await saveWeights(source, join(dir, "r18-body.json"));
});

afterAll(async () => {
  source.dispose();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe("saveWeights", { timeout: RESNET_TEST_TIMEOUT }, () => {
  it("writes a tfjs-style manifest and one little-endian shard with its SHA-256", async () => {
    const m = JSON.parse(await readFile(sourceFile, "utf8")) as WeightsManifest;
    expect(m.format).toBe(WEIGHTS_FORMAT);
    expect(m.version).toBe(1);
    expect(m.arch).toBe("resnet18");
    expect(m.weightsManifest).toHaveLength(1);
    expect(m.weightsManifest[0]?.paths).toEqual(["r18-body.bin"]);
    const specs = m.weightsManifest[0]?.weights ?? [];
    expect(specs).toHaveLength(100);
    expect(specs[0]).toEqual({ name: "conv1.weight", shape: [7, 7, 3, 64], dtype: "float32" });
    const shard = await readFile(join(dir, "r18-body.bin"));
    expect(shard.byteLength).toBe(4 * source.entries().reduce((a, [, v]) => a + v.size, 0));
    expect(shard.readFloatLE(0)).toBe(source.variables[0]?.dataSync()[0]);
    expect(m.sha256?.["r18-body.bin"]).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("loadWeights", { timeout: RESNET_TEST_TIMEOUT }, () => {
  it("restores every parameter and running statistic bit-exactly from a local file", async () => {
    const target = resnet18({ seed: 2, includeTop: false });
    expect(target.variables[0]?.dataSync()[0]).not.toBe(source.variables[0]?.dataSync()[0]);
    const result = await loadWeights(target, sourceFile);
    expect(result.loaded).toHaveLength(100);
    expect(result.ignored).toEqual([]);
    expectSame(snapshot(target), snapshot(source));
    // A file: URL works the same.
    const again = resnet18({ seed: 3, includeTop: false });
    await loadWeights(again, pathToFileURL(sourceFile));
    expectSame(snapshot(again), snapshot(source));
    target.dispose();
    again.dispose();
  });

  it("restores bit-exactly from an HTTP URL (shards resolved relative to the manifest)", async () => {
    server.routes.set("/models/r18.json", {
      body: (await readFile(sourceFile)) as Uint8Array,
      headers: { "content-type": "application/json" },
    });
    server.routes.set("/models/r18-body.bin", {
      body: (await readFile(join(dir, "r18-body.bin"))) as Uint8Array,
    });
    const target = resnet18({ seed: 4, includeTop: false });
    await loadWeights(target, server.url("/models/r18.json"));
    expectSame(snapshot(target), snapshot(source));
    expect(server.requests).toEqual(expect.arrayContaining(["/models/r18.json", "/models/r18-body.bin"]));
    target.dispose();
  });

  it("loads a body from a full model's file, ignoring the keys it lacks (fc.*)", async () => {
    const full = resnet18({ seed: 5 });
    const file = await saveWeights(full, join(dir, "r18-full.json"));
    const body = resnet18({ seed: 6, includeTop: false });
    const result = await loadWeights(body, file);
    expect(result.ignored).toEqual(["fc.weight", "fc.bias"]);
    const fullValues = snapshot(full);
    for (const [k, bytes] of snapshot(body)) expect(bytes.equals(fullValues.get(k) as Buffer), k).toBe(true);
    full.dispose();
    body.dispose();
  });

  describe("refuses, names the file, and changes nothing", () => {
    async function expectRefused(source: string, message: RegExp, model?: ResNet) {
      const target = model ?? resnet18({ seed: 9, includeTop: false });
      const before = snapshot(target);
      const error = await loadWeights(target, source).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WeightsError);
      expect((error as Error).message).toMatch(message);
      expectSame(snapshot(target), before);
      target.dispose();
    }

    it("a model key missing from the file", async () => {
      await expectRefused(sourceFile, /r18-body\.json: missing fc\.weight, fc\.bias/, resnet18({ seed: 9 }));
    });

    it("weights of another architecture", async () => {
      const r34 = resnet34({ seed: 1, includeTop: false });
      const file = await saveWeights(r34, join(dir, "r34.json"));
      r34.dispose();
      await expectRefused(file, /r34\.json: weights are for resnet34, the model is resnet18/);
    });

    it("a shape that differs (and no arch to tell)", async () => {
      const m = JSON.parse(await readFile(sourceFile, "utf8")) as WeightsManifest;
      delete m.arch;
      const group = m.weightsManifest[0] as WeightsManifest["weightsManifest"][number];
      group.weights[0] = { name: "conv1.weight", shape: [7, 3, 7, 64], dtype: "float32" };
      const file = join(dir, "reshaped.json");
      await writeFile(
        file,
        JSON.stringify({ ...m, weightsManifest: [{ ...group, paths: ["r18-body.bin"] }] }),
      );
      await expectRefused(
        file,
        /conv1\.weight is float32 \[7,3,7,64\] in the file, float32 \[7,7,3,64\] in the model/,
      );
    });

    it("a corrupt shard (SHA-256 mismatch) or a truncated one", async () => {
      const shard = await readFile(join(dir, "r18-body.bin"));
      const corrupt = Buffer.from(shard);
      corrupt[1000] = (corrupt[1000] as number) ^ 0xff;
      await writeFile(join(dir, "corrupt.bin"), corrupt);
      const m = JSON.parse(await readFile(sourceFile, "utf8")) as WeightsManifest;
      const group = m.weightsManifest[0] as WeightsManifest["weightsManifest"][number];
      await writeFile(
        join(dir, "corrupt.json"),
        JSON.stringify({
          ...m,
          weightsManifest: [{ ...group, paths: ["corrupt.bin"] }],
          sha256: { "corrupt.bin": m.sha256?.["r18-body.bin"] },
        }),
      );
      await expectRefused(join(dir, "corrupt.json"), /corrupt\.bin: SHA-256 does not match/);
      await writeFile(join(dir, "short.bin"), shard.subarray(0, shard.byteLength - 8));
      await writeFile(
        join(dir, "short.json"),
        JSON.stringify({ ...m, weightsManifest: [{ ...group, paths: ["short.bin"] }], sha256: {} }),
      );
      await expectRefused(
        join(dir, "short.json"),
        /short\.json: shards short\.bin hold \d+ bytes, the manifest lists \d+/,
      );
    });

    it("a missing file, an HTTP error, and a file that is not a manifest", async () => {
      await expectRefused(join(dir, "nope.json"), /nope\.json: cannot read: ENOENT/);
      await expectRefused(server.url("/missing.json"), /missing\.json: HTTP 404/);
      await writeFile(join(dir, "other.json"), JSON.stringify({ format: "something else", version: 1 }));
      await expectRefused(join(dir, "other.json"), /other\.json: not a @sched\/vision weights v1 manifest/);
      await writeFile(join(dir, "garbage.json"), "{ not json");
      await expectRefused(join(dir, "garbage.json"), /garbage\.json: not valid JSON/);
    });
  });
});
