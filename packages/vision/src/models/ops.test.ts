import { initBackend, Rng } from "@sched/learner";
import { expectNoLeaks } from "@sched/learner/testing";
import * as tf from "@tensorflow/tfjs";
import { beforeAll, describe, expect, it } from "vitest";
import { batchNormTrainOp, conv2dSame, relu } from "./ops.js";

beforeAll(async () => {
  await initBackend();
});

const rng = new Rng(7);
const randn = (shape: number[], std = 1) =>
  tf.tensor(
    rng.normalArray(
      shape.reduce((a, b) => a * b, 1),
      0,
      std,
    ),
    shape,
  );

/** Max |a - b| relative to max |b|: float32 reorderings stay far below 1e-4. */
function relErr(a: tf.Tensor, b: tf.Tensor): number {
  return (
    tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0] as number) /
    tf.tidy(() => tf.max(tf.abs(b)).dataSync()[0] as number)
  );
}

/** The gradients of sum(f(...xs) · up) with respect to every input. */
function gradsOf(f: (...xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], up: tf.Tensor): tf.Tensor[] {
  return tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(f(...args), up)))(xs);
}

describe("conv2dSame", () => {
  // [batch, size, cin, cout, k]: small maps with many channels (the slow native case), and the reverse.
  const cases: Array<[number, number, number, number, number]> = [
    [2, 2, 32, 48, 3],
    [3, 9, 4, 6, 3],
    [2, 5, 3, 8, 1],
    [1, 7, 2, 3, 5],
  ];
  for (const [b, h, cin, cout, k] of cases) {
    it(`matches tf.conv2d "same" in value and gradients (${b}×${h}×${h}×${cin} → ${cout}, ${k}×${k})`, async () => {
      const x = randn([b, h, h, cin]);
      const w = randn([k, k, cin, cout], 0.2);
      const up = randn([b, h, h, cout]);
      await expectNoLeaks(() => {
        tf.tidy(() => {
          const plain = (xx: tf.Tensor, ww: tf.Tensor) =>
            tf.conv2d(xx as tf.Tensor4D, ww as tf.Tensor4D, 1, "same");
          const fast = (xx: tf.Tensor, ww: tf.Tensor) => conv2dSame(xx as tf.Tensor4D, ww as tf.Tensor4D);
          expect(relErr(fast(x, w), plain(x, w))).toBe(0);
          const [gx, gw] = gradsOf(fast, [x, w], up) as [tf.Tensor, tf.Tensor];
          const [rx, rw] = gradsOf(plain, [x, w], up) as [tf.Tensor, tf.Tensor];
          expect(gx.shape).toEqual(x.shape);
          expect(gw.shape).toEqual(w.shape);
          expect(relErr(gx, rx)).toBeLessThan(1e-5);
          expect(relErr(gw, rw)).toBeLessThan(1e-5);
        });
      });
      tf.dispose([x, w, up]);
    });
  }
});

describe("relu", () => {
  it("equals tf.relu, and its gradient is dy where the input is positive (0 at 0, as tf.relu)", () => {
    const x = tf.tensor([-2, -0.5, 0, 0, 0.25, 3], [2, 3]);
    const up = tf.tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    tf.tidy(() => {
      expect(Array.from(relu(x).dataSync())).toEqual([0, 0, 0, 0, 0.25, 3]);
      const [g] = gradsOf((t) => relu(t), [x], up) as [tf.Tensor];
      const [ref] = gradsOf((t) => tf.relu(t), [x], up) as [tf.Tensor];
      expect(Array.from(g.dataSync())).toEqual([0, 0, 0, 0, 5, 6]);
      expect(Array.from(ref.dataSync())).toEqual([0, 0, 0, 0, 5, 6]);
    });
    tf.dispose([x, up]);
  });
});

describe("batchNormTrainOp", () => {
  const eps = 1e-5;
  for (const shape of [
    [4, 3, 3, 5],
    [6, 7],
  ]) {
    it(`normalises with the batch statistics and has the autodiff gradients (x ${JSON.stringify(shape)})`, async () => {
      const c = shape[shape.length - 1] as number;
      const x = tf.tidy(() => tf.add(randn(shape, 2), 0.5));
      const gamma = tf.tidy(() => tf.add(randn([c], 0.3), 1));
      const beta = randn([c], 0.3);
      const up = randn(shape);
      const seen: Array<{ mean: number[]; variance: number[]; count: number }> = [];
      const op = batchNormTrainOp(eps, (mean, variance, count) => {
        seen.push({ mean: Array.from(mean.dataSync()), variance: Array.from(variance.dataSync()), count });
      });
      const axes = shape.slice(0, -1).map((_, i) => i);
      const reference = (xx: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(xx, axes);
        return tf.batchNorm(xx, mean, variance, b, g, eps);
      };
      await expectNoLeaks(() => {
        tf.tidy(() => {
          const y = op(x, gamma, beta);
          expect(relErr(y, reference(x, gamma, beta))).toBeLessThan(1e-6);
          // Per channel, the output has mean beta and standard deviation gamma (up to eps).
          const { mean, variance } = tf.moments(y, axes);
          expect(relErr(mean, beta)).toBeLessThan(1e-4);
          expect(relErr(tf.sqrt(variance), tf.abs(gamma))).toBeLessThan(1e-3);
          const ours = gradsOf(op, [x, gamma, beta], up);
          const theirs = gradsOf(reference, [x, gamma, beta], up);
          for (let i = 0; i < 3; i++)
            expect(relErr(ours[i] as tf.Tensor, theirs[i] as tf.Tensor)).toBeLessThan(1e-4);
        });
      });
      expect(seen[0]?.count).toBe(x.size / c);
      tf.tidy(() => {
        const { mean, variance } = tf.moments(x, axes);
        expect(relErr(tf.tensor(seen[0]?.mean ?? []), mean)).toBeLessThan(1e-6);
        expect(relErr(tf.tensor(seen[0]?.variance ?? []), variance)).toBeLessThan(1e-6);
      });
      tf.dispose([x, gamma, beta, up]);
    });
  }
});
