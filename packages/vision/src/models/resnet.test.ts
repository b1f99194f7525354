import { initBackend, Rng } from "@sched/learner";
import { expectNoLeaks } from "@sched/learner/testing";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { RESNET_TEST_TIMEOUT } from "../data/test-pets.js";
import { BatchNorm, Conv2d } from "./layers.js";
import { ParamStore } from "./params.js";
import { resnet18, resnet34 } from "./resnet.js";

beforeAll(async () => {
  await initBackend();
});

/** Parameter count of a torchvision BasicBlock ResNet, from its definition. */
function expectedParams(blocks: readonly number[], withTop: boolean): number {
  const conv = (k: number, cin: number, cout: number) => k * k * cin * cout;
  const bn = (c: number) => 2 * c;
  let total = conv(7, 3, 64) + bn(64);
  let cin = 64;
  blocks.forEach((n, i) => {
    const cout = 64 * 2 ** i;
    for (let j = 0; j < n; j++) {
      const inC = j === 0 ? cin : cout;
      total += conv(3, inC, cout) + bn(cout) + conv(3, cout, cout) + bn(cout);
      if (inC !== cout || (i > 0 && j === 0)) total += conv(1, inC, cout) + bn(cout);
    }
    cin = cout;
  });
  return withTop ? total + 512 * 1000 + 1000 : total;
}

const count = (vs: readonly tf.Variable[]) => vs.reduce((a, v) => a + v.size, 0);

describe("resnet18 / resnet34", { timeout: RESNET_TEST_TIMEOUT }, () => {
  it("have torchvision's parameter counts (body ≈ 11.2M / 21.3M; with the 1000-class top 11,689,512 / 21,797,672)", async () => {
    await expectNoLeaks(() => {
      for (const [arch, published] of [
        [resnet18, 11_689_512],
        [resnet34, 21_797_672],
      ] as const) {
        const full = arch({ seed: 1 });
        const body = arch({ seed: 1, includeTop: false });
        expect(count(full.variables)).toBe(expectedParams(arch.blocks, true));
        expect(count(full.variables)).toBe(published);
        expect(count(body.variables)).toBe(expectedParams(arch.blocks, false));
        expect(count(body.variables)).toBe(published - 513_000);
        full.dispose();
        body.dispose();
      }
    });
  });

  it("name their variables as torchvision's state_dict (62 params and 40 running statistics for resnet18)", () => {
    const m = resnet18({ seed: 1 });
    const keys = m.entries().map(([k]) => k);
    expect(m.variables).toHaveLength(62);
    expect(m.buffers).toHaveLength(40);
    expect(keys.slice(0, 3)).toEqual(["conv1.weight", "bn1.weight", "bn1.bias"]);
    expect(keys).toContain("layer2.0.downsample.0.weight");
    expect(keys).toContain("layer4.1.bn2.running_var");
    expect(keys).not.toContain("layer1.0.downsample.0.weight");
    expect(keys).toContain("fc.bias");
    expect(m.entries().find(([k]) => k === "layer3.0.conv1.weight")?.[1].shape).toEqual([3, 3, 128, 256]);
    expect(m.entries().find(([k]) => k === "fc.weight")?.[1].shape).toEqual([512, 1000]);
    // Every instance gets its own tf.Variable names, so two models coexist.
    const other = resnet18({ seed: 1 });
    expect(other.variables[0]?.name).not.toBe(m.variables[0]?.name);
    expect(m.variables[0]?.name.endsWith("/conv1.weight")).toBe(true);
    m.dispose();
    other.dispose();
  });

  it("output logits [b, nOut], and features [b, h/32, w/32, 512] before pooling", async () => {
    await expectNoLeaks(() => {
      const x = tf.randomNormal([2, 64, 64, 3]);
      const r18 = resnet18({ seed: 2, nOut: 10 });
      const r34 = resnet34({ seed: 2 });
      tf.tidy(() => {
        expect(r18.call(x, { training: false }).shape).toEqual([2, 10]);
        expect(r18.call(x, { training: true }).shape).toEqual([2, 10]);
        expect(r34.call(x, { training: false }).shape).toEqual([2, 1000]);
        expect(r18.features(x, false).shape).toEqual([2, 2, 2, 512]);
        expect(r18.features(tf.zeros([1, 224, 224, 3]), false).shape).toEqual([1, 7, 7, 512]);
        expect(r18.features(tf.zeros([1, 96, 160, 3]), false).shape).toEqual([1, 3, 5, 512]);
        const logits = r18.call(x, { training: false }).dataSync();
        expect(logits.every(Number.isFinite)).toBe(true);
      });
      tf.dispose(x);
      r18.dispose();
      r34.dispose();
    });
  });

  it("split into fastai's resnet groups, covering every parameter exactly once", () => {
    const m = resnet18({ seed: 3 });
    const groups = m.paramGroups();
    expect(groups).toHaveLength(3);
    const all = groups.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(new Set(all)).toEqual(new Set(m.variables));
    const keyOf = new Map(m.entries().map(([k, v]) => [v, k]));
    const prefixes = (g: tf.Variable[]) => new Set(g.map((v) => keyOf.get(v)?.split(".")[0]));
    expect(prefixes(groups[0] ?? [])).toEqual(new Set(["conv1", "bn1", "layer1", "layer2"]));
    expect(prefixes(groups[1] ?? [])).toEqual(new Set(["layer3", "layer4"]));
    expect(prefixes(groups[2] ?? [])).toEqual(new Set(["fc"]));
    const isNormKey = (k = "") => /(^|\.)bn\d\./.test(k) || k.includes("downsample.1.");
    expect(new Set(m.normParams)).toEqual(new Set(all.filter((v) => isNormKey(keyOf.get(v)))));
    expect(m.normParams).toHaveLength(40);
    expect(m.biasParams.map((v) => keyOf.get(v))).toEqual(["fc.bias"]);
    m.dispose();
  });

  it("start from the same weights for the same seed, He-normal (fan-out) for convolutions", () => {
    const [a, b, c] = [resnet18({ seed: 5 }), resnet18({ seed: 5 }), resnet18({ seed: 6 })];
    const w = (m: typeof a, key: string) => m.entries().find(([k]) => k === key)?.[1] as tf.Variable;
    const bytes = (v: tf.Variable) => Buffer.from(v.dataSync().buffer);
    expect(bytes(w(a, "layer4.0.conv2.weight")).equals(bytes(w(b, "layer4.0.conv2.weight")))).toBe(true);
    expect(w(a, "conv1.weight").dataSync()[0]).not.toBe(w(c, "conv1.weight").dataSync()[0]);
    const values = w(a, "layer4.0.conv2.weight").dataSync() as Float32Array;
    const std = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
    expect(std / Math.sqrt(2 / (512 * 9))).toBeCloseTo(1, 2);
    expect(Array.from(w(a, "bn1.weight").dataSync()).every((v) => v === 1)).toBe(true);
    for (const m of [a, b, c]) m.dispose();
  });
});

/** A direct PyTorch-semantics convolution: zero padding `pad` on every side, then a strided window. */
function naiveConv(x: tf.Tensor4D, w: tf.Tensor4D, stride: number, pad: number): number[] {
  const [b, h, wd, cin] = x.shape;
  const [k, , , cout] = w.shape;
  const xs = x.arraySync();
  const ws = w.arraySync();
  const oh = Math.floor((h + 2 * pad - k) / stride) + 1;
  const ow = Math.floor((wd + 2 * pad - k) / stride) + 1;
  const out: number[] = [];
  for (let n = 0; n < b; n++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let o = 0; o < cout; o++) {
          let s = 0;
          for (let di = 0; di < k; di++)
            for (let dj = 0; dj < k; dj++) {
              const [y, xx] = [i * stride + di - pad, j * stride + dj - pad];
              if (y < 0 || y >= h || xx < 0 || xx >= wd) continue;
              for (let c = 0; c < cin; c++) s += (xs[n]?.[y]?.[xx]?.[c] ?? 0) * (ws[di]?.[dj]?.[c]?.[o] ?? 0);
            }
          out.push(s);
        }
  return out;
}

describe("layers", { timeout: RESNET_TEST_TIMEOUT }, () => {
  it("Conv2d pads as PyTorch (k // 2 on every side), for stride 1 and 2", () => {
    const rng = new Rng(11);
    for (const [k, stride, size] of [
      [7, 2, 10],
      [3, 2, 8],
      [3, 1, 5],
      [1, 2, 6],
    ] as const) {
      const store = new ParamStore("test", 1);
      const conv = new Conv2d(store, "c", 2, 3, k, stride);
      const x = tf.tensor4d(rng.normalArray(2 * size * size * 2), [2, size, size, 2]);
      const got = tf.tidy(() => Array.from(conv.call(x).dataSync()));
      const want = naiveConv(x, conv.weight as tf.Tensor4D, stride, Math.floor(k / 2));
      expect(got.length).toBe(want.length);
      for (const [i, v] of got.entries()) expect(v).toBeCloseTo(want[i] as number, 4);
      x.dispose();
      store.dispose();
    }
  });

  it("BatchNorm updates running statistics like PyTorch (momentum 0.1, unbiased variance) and uses them in eval", () => {
    const store = new ParamStore("test", 1);
    const bn = new BatchNorm(store, "bn", 2);
    const x = tf.tensor2d([1, 10, 2, 20, 3, 30, 6, 40], [4, 2]);
    tf.tidy(() => bn.call(x, true));
    // channel 0: mean 3, unbiased var 14/3; channel 1: mean 25, unbiased var 500/3
    const rm = bn.runningMean.dataSync();
    const rv = bn.runningVar.dataSync();
    expect(rm[0]).toBeCloseTo(0.3, 6);
    expect(rm[1]).toBeCloseTo(2.5, 6);
    expect(rv[0]).toBeCloseTo(0.9 + 0.1 * (14 / 3), 5);
    expect(rv[1]).toBeCloseTo(0.9 + 0.1 * (500 / 3), 4);
    const y = tf.tidy(() => Array.from(bn.call(x, false).dataSync()));
    expect(y[0]).toBeCloseTo((1 - 0.3) / Math.sqrt((rv[0] as number) + 1e-5), 5);
    expect(y[7]).toBeCloseTo((40 - 2.5) / Math.sqrt((rv[1] as number) + 1e-5), 4);
    // Eval leaves the running statistics alone.
    expect(bn.runningMean.dataSync()[0]).toBeCloseTo(0.3, 6);
    x.dispose();
    store.dispose();
  });
});
