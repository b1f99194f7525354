/**
 * The TensorFlow.js backends side by side: a 1024² float32 matMul (GFLOP/s) and one training
 * step of a small CNN, on tensorflow (tfjs-node), wasm and cpu, interleaved round by round.
 *
 * Each backend gets its own copies of the inputs and weights, created while it is active, and
 * every timed call first makes its backend active again (a cached, sub-millisecond switch), so
 * no call pays for moving data between backends.
 */
import { BACKENDS, type BackendName, initBackend } from "@sched/learner";
import * as tf from "@tensorflow/tfjs";
import { compare } from "../measure.js";
import { table, writeSection } from "../results.js";
import type { Suite } from "../suite.js";

const N = 1024;
const CNN = { batch: 16, size: 24, classes: 10 };

/** Deterministic inputs, so every backend computes the same numbers. */
function seeded(seed: number, n: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

interface Workload {
  matmul: () => void;
  cnnStep: () => number;
  dispose: () => void;
}

/**
 * conv3x3(3→8)+BN+relu+maxpool → conv3x3(8→16)+BN+relu+maxpool → conv3x3(16→32)+relu →
 * global average → dense(32→10), softmax cross-entropy, one SGD update, on a 16×24×24×3 batch.
 */
function workload(): Workload {
  const { batch, size, classes } = CNN;
  const a = tf.tensor2d(seeded(1, N * N), [N, N]);
  const b = tf.tensor2d(seeded(2, N * N), [N, N]);
  const x = tf.tensor4d(seeded(3, batch * size * size * 3), [batch, size, size, 3]);
  const y = tf.tidy(() =>
    tf.oneHot(
      tf.tensor1d(
        Array.from({ length: batch }, (_, i) => i % classes),
        "int32",
      ),
      classes,
    ),
  );
  const conv = (seed: number, cin: number, cout: number) =>
    tf.variable(
      tf.tensor4d(seeded(seed, 9 * cin * cout), [3, 3, cin, cout]).mul<tf.Tensor4D>(Math.sqrt(2 / (9 * cin))),
    );
  const p = tf.tidy(() => ({
    c1: conv(10, 3, 8),
    c2: conv(11, 8, 16),
    c3: conv(12, 16, 32),
    g1: tf.variable(tf.ones([8])),
    b1: tf.variable(tf.zeros([8])),
    g2: tf.variable(tf.ones([16])),
    b2: tf.variable(tf.zeros([16])),
    wd: tf.variable(tf.tensor2d(seeded(13, 32 * classes), [32, classes]).mul(0.1)),
    bd: tf.variable(tf.zeros([classes])),
  }));
  const vars = Object.values(p);
  const bn = (h: tf.Tensor4D, g: tf.Tensor, bt: tf.Tensor) => {
    const { mean, variance } = tf.moments(h, [0, 1, 2]);
    return tf.relu(tf.batchNorm(h, mean, variance, bt, g, 1e-5)) as tf.Tensor4D;
  };
  const loss = () => {
    let h = tf.maxPool(bn(tf.conv2d(x, p.c1, 1, "same"), p.g1, p.b1), 2, 2, "valid");
    h = tf.maxPool(bn(tf.conv2d(h, p.c2, 1, "same"), p.g2, p.b2), 2, 2, "valid");
    const feat = tf.mean(tf.relu(tf.conv2d(h, p.c3, 1, "same")), [1, 2]);
    return tf.losses.softmaxCrossEntropy(y, tf.matMul(feat, p.wd).add(p.bd)) as tf.Scalar;
  };
  return {
    matmul: () => {
      tf.tidy(() => tf.matMul(a, b).sum().dataSync());
    },
    cnnStep: () =>
      tf.tidy(() => {
        const { value, grads } = tf.variableGrads(loss, vars);
        for (const v of vars) v.assign(v.sub((grads[v.name] as tf.Tensor).mul(0.01)));
        return value.dataSync()[0] as number;
      }),
    dispose: () => tf.dispose([a, b, x, y, ...vars]),
  };
}

const suite: Suite = {
  name: "backends",
  title: "TensorFlow.js backends: matMul GFLOP/s and a small-CNN training step",
  async run({ quick, command }) {
    const rounds = quick ? 3 : 7;
    // Read before initBackend, which fills in its quiet default when the variable is unset.
    const onednn = process.env.TF_ENABLE_ONEDNN_OPTS ?? "unset (oneDNN on, TensorFlow's default)";
    const ready: BackendName[] = [];
    const missing: Record<string, string> = {};
    const work = {} as Record<BackendName, Workload>;
    const firstLoss: Record<string, number> = {};
    for (const name of [...BACKENDS].reverse()) {
      try {
        await initBackend(name);
        work[name] = workload();
        firstLoss[name] = work[name].cnnStep();
        ready.push(name);
      } catch (err) {
        missing[name] = (err as Error).message;
      }
    }
    const on = (name: BackendName, fn: (w: Workload) => unknown) => async () => {
      await initBackend(name);
      fn(work[name]);
    };
    const mm = await compare(Object.fromEntries(ready.map((n) => [n, on(n, (w) => w.matmul())])), { rounds });
    const cnn = await compare(Object.fromEntries(ready.map((n) => [n, on(n, (w) => w.cnnStep())])), {
      rounds,
    });
    for (const n of ready) work[n].dispose();

    const gflops = (s: number) => (2 * N ** 3) / s / 1e9;
    const rows = ready.map((n) => [
      `\`${n}\``,
      (1e3 * (mm.seconds[n] as number)).toFixed(1),
      gflops(mm.seconds[n] as number).toFixed(1),
      `${(1 / (mm.ratio[n] as number)).toFixed(1)}×`,
      (1e3 * (cnn.seconds[n] as number)).toFixed(1),
      `${(1 / (cnn.ratio[n] as number)).toFixed(1)}×`,
    ]);
    const body = [
      `Median over ${rounds} interleaved rounds (every backend once per round, order alternating);`,
      "speed-up = 1 / median of the same-round time ratio to `cpu`. matMul is 1024×1024 float32",
      `(2·1024³ FLOP); the CNN step is forward + gradients + SGD update of a 3-conv net with batch norm on a`,
      `${CNN.batch}×${CNN.size}×${CNN.size}×3 batch; on wasm its filter gradients run on cpu kernels (wasm has none).`,
      `TF_ENABLE_ONEDNN_OPTS=${onednn}. The machine (2 cores) was shared with other engineers' test runs`,
      "while this ran: absolute times are noisy, same-round ratios less so.",
      "",
      table(["backend", "matMul ms", "GFLOP/s", "matMul speed-up", "CNN step ms", "CNN speed-up"], rows),
      "",
      `First-step loss per backend (same math, float32): ${ready.map((n) => `${n} ${firstLoss[n]?.toFixed(6)}`).join(", ")}.`,
      ...Object.entries(missing).map(([n, why]) => `\n\`${n}\` not measured: ${why}`),
    ].join("\n");
    console.log(body);
    writeSection({
      suite: "backends",
      title: suite.title,
      command,
      backend: ready.join(", "),
      body,
      json: { rounds, matmul: mm, cnnStep: cnn, firstLoss, missing, onednn, n: N, cnn: CNN },
    });
  },
};

export default suite;
