/** anchors.md §2, Keras (C15–C16), HF transformers (C17) and timm (C18) cases, read by step with stepView. */
import { describe, expect, it } from "vitest";
import {
  combineScheds,
  cosineRestarts,
  piecewiseConstant,
  SchedCos,
  SchedExp,
  SchedInvSqrt,
  SchedInvTime,
  SchedLin,
  SchedNo,
  SchedPolyDecay,
  scaleSched,
  scheduleFromJSON,
  staircase,
  stepDecay,
  stepView,
  warmupStableDecay,
  withWarmup,
} from "./index.js";
import { at, expectClose, range } from "./test-close.js";

describe("C15 Keras CosineDecayRestarts and CosineDecay with warmup", () => {
  const steps = [0, 250, 500, 750, 1000, 1250];
  // first_decay_steps 1000, t_mul 2: two cycles fill 3000 steps.
  const restarts = (o: { decay?: number; min?: number }) =>
    stepView(cosineRestarts({ max: 1, firstPct: 1000 / 3000, cycleMult: 2, ...o }), 3000);
  const K = { abs: 1e-6 };

  it("C15 defaults (t_mul 2)", () => {
    expectClose(at(restarts({}), steps), [1, 0.853553, 0.5, 0.146447, 1, 0.96194], K);
  });

  it("C15 m_mul 0.9 = per-cycle peak decay", () => {
    expectClose(at(restarts({ decay: 0.9 }), steps), [1, 0.853553, 0.5, 0.146447, 0.9, 0.865746], K);
  });

  it("C15 alpha 0.1 = a floor of 0.1·initial", () => {
    expectClose(at(restarts({ min: 0.1 }), steps), [1, 0.868198, 0.55, 0.231802, 1, 0.965746], K);
  });

  it("C15 alpha with m_mul: Keras scales only the part above the floor, i.e. scaleSched(…, 1 − α, α)", () => {
    const alpha = 0.1;
    const mMul = 0.9;
    const s = stepView(
      scaleSched(
        cosineRestarts({ max: 1, firstPct: 1000 / 7000, cycleMult: 2, decay: mMul }),
        1 - alpha,
        alpha,
      ),
      7000,
    );
    // The test's reference loop: while step ≥ T: step −= T; T *= t_mul; fac *= m_mul.
    const keras = (step: number) => {
      let t = 1000;
      let fac = 1;
      let x = step;
      while (x >= t) {
        x -= t;
        t *= 2;
        fac *= mMul;
      }
      return (1 - alpha) * fac * 0.5 * (1 + Math.cos((Math.PI * x) / t)) + alpha;
    };
    const probe = [0, 250, 999, 1000, 1500, 2999, 3000, 4000, 6999];
    expectClose(at(s, probe), probe.map(keras), { abs: 1e-12 });
  });

  it("C15 CosineDecay(0, 1000, warmup_target 10, warmup_steps 2000): decay_steps excludes the warmup", () => {
    const v = stepView(withWarmup(SchedCos(10, 0), { pct: 2000 / 3000, init: 0 }), 3000);
    expectClose(at(v, [0, 500, 1000, 1999, 2000]), [0, 2.5, 5, 9.995, 10], { abs: 1e-9 });
    expectClose(at(v, [2250, 3000, 4000]), [8.535534, 0, 0], { abs: 1e-6 });
  });
});

describe("C16 Keras ExponentialDecay, PolynomialDecay, PiecewiseConstantDecay, InverseTimeDecay", () => {
  it("C16 ExponentialDecay(0.05, 10, 0.96) at step 5 = 0.05·0.96^0.5", () => {
    expectClose([stepView(SchedExp(0.05, 0.05 * 0.96), 10)(5)], [0.0489898], { abs: 1e-7 });
  });

  it("C16 ExponentialDecay staircase (0.1, 3, 0.96): steps 1, 2 → 0.1; step 100 → 0.1·0.96^33", () => {
    const N = 100;
    const a = stepView(stepDecay({ base: 0.1, every: 3 / N, gamma: 0.96 }), N);
    const b = stepView(staircase(SchedExp(0.1, 0.1 * 0.96 ** (N / 3)), 3 / N), N);
    for (const v of [a, b]) {
      expectClose(at(v, [1, 2, 100]), [0.1, 0.1, 0.0259986], { abs: 1e-7 });
      expect(v(3)).toBeCloseTo(0.096, 12);
    }
  });

  it("C16 PolynomialDecay(0.05, 10, 0.001, cycle) at 15: the second cycle re-decays over 20 steps", () => {
    // Keras' cycle stretches decay_steps to 20 for steps 11–20, restarting at the value the 20-step
    // curve has at step 10: two pieces joined with combineScheds.
    const cycled = (power: number) =>
      combineScheds(
        [0.5, 0.5],
        [SchedPolyDecay(0.05, 0.001, power), SchedPolyDecay(0.001 + 0.049 * 0.5 ** power, 0.001, power)],
      );
    expectClose([stepView(cycled(1), 20)(15), stepView(cycled(0.5), 20)(15)], [0.01325, 0.0255], {
      abs: 1e-9,
    });
    expect(stepView(SchedPolyDecay(0.05, 0.001, 1), 10)(15)).toBeCloseTo(0.001, 15);
  });

  it("C16 PiecewiseConstantDecay([100,110,120], [1,.1,.01,.001]) keeps the old value at a boundary", () => {
    const N = 1000;
    const keras = stepView(
      piecewiseConstant({ boundaries: [0.1, 0.11, 0.12], values: [1, 0.1, 0.01, 0.001], atBoundary: "old" }),
      N,
    );
    expect(at(keras, [100, 105, 110, 120, 999])).toEqual([1.0, 0.1, 0.1, 0.01, 0.001]);
    const optax = stepView(
      piecewiseConstant({ boundaries: [0.1, 0.11, 0.12], values: [1, 0.1, 0.01, 0.001] }),
      N,
    );
    expect(at(optax, [99, 100, 110, 120])).toEqual([1.0, 0.1, 0.01, 0.001]);
  });

  it("C16 InverseTimeDecay(0.1, 10, 0.96): 0.1/(1 + 0.096k), and staircase 0.1/(1 + 0.96·⌊k/10⌋)", () => {
    const smooth = stepView(SchedInvTime(0.1, 0.1 / (1 + 0.96)), 10);
    expectClose(
      at(smooth, range(11)),
      range(11).map((k) => 0.1 / (1 + 0.096 * k)),
      { abs: 1e-12 },
    );
    const stairs = stepView(staircase(SchedInvTime(0.1, 0.1 / (1 + 0.96 * 2)), 0.5), 20);
    expectClose(
      at(stairs, range(21)),
      range(21).map((k) => 0.1 / (1 + 0.96 * Math.floor(k / 10))),
      { abs: 1e-12 },
    );
  });
});

describe("C17 HF transformers named schedules (lr 10, warmup 2, 10 steps, tol 1e-2)", () => {
  const HF = { abs: 1e-2 };
  const named = {
    constant: SchedNo(10, 10),
    constant_with_warmup: withWarmup(SchedNo(10, 10), { pct: 0.4 }),
    linear: withWarmup(SchedLin(10, 0), { pct: 0.2 }),
    cosine: withWarmup(SchedCos(10, 0), { pct: 0.2 }),
    cosine_with_restarts: withWarmup(cosineRestarts({ max: 10, cycles: 2 }), { pct: 0.2 }),
    polynomial: withWarmup(SchedPolyDecay(10, 1e-7, 2), { pct: 0.2 }),
  };
  const expected: Record<keyof typeof named, number[]> = {
    constant: range(10).map(() => 10),
    constant_with_warmup: [0, 2.5, 5, 7.5, 10, 10, 10, 10, 10, 10],
    linear: [0, 5, 10, 8.75, 7.5, 6.25, 5, 3.75, 2.5, 1.25],
    cosine: [0, 5, 10, 9.61, 8.53, 6.91, 5, 3.08, 1.46, 0.38],
    cosine_with_restarts: [0, 5, 10, 8.53, 5, 1.46, 10, 8.53, 5, 1.46],
    polynomial: [0, 5, 10, 7.656, 5.625, 3.906, 2.5, 1.406, 0.625, 0.156],
  };

  for (const name of Object.keys(named) as (keyof typeof named)[]) {
    it(`C17 ${name}`, () => {
      expectClose(at(stepView(named[name], 10), range(10)), expected[name], HF);
    });

    it(`C17 ${name}: the same sequence after a save/reload at step 5`, () => {
      const first = at(stepView(named[name], 10), range(5));
      const reloaded = scheduleFromJSON(JSON.parse(JSON.stringify(named[name])));
      const rest = at(stepView(reloaded, 10), [5, 6, 7, 8, 9]);
      expectClose([...first, ...rest], expected[name], HF);
      expect(rest).toEqual(at(stepView(named[name], 10), [5, 6, 7, 8, 9]));
    });
  }

  it("C17 inverse_sqrt (warmup 4, timescale = warmup): 1/√((s + timescale − warmup)/timescale)", () => {
    const N = 10; // the decay runs over steps 4..10; its end is 1/√((10 + 4 − 4)/4)
    const s = stepView(withWarmup(SchedInvSqrt(1, 1 / Math.sqrt(10 / 4)), { pct: 4 / N }), N);
    // biome-ignore lint/suspicious/noApproximativeNumericConstant: the case's listed (rounded) values
    expectClose(at(s, range(9)), [0, 0.25, 0.5, 0.75, 1, 0.894427, 0.816497, 0.755929, 0.707107], {
      abs: 1e-6,
    });
  });

  it("C17 warmup_stable_decay (warmup 2, stable 4, decay 4, cosine, min_lr_ratio 0.1)", () => {
    const s = stepView(
      warmupStableDecay({ peak: 1, warmupPct: 0.2, decayPct: 0.4, minRatio: 0.1, decay: "cos" }),
      10,
    );
    expectClose(at(s, range(12)), [0.1, 0.55, 1, 1, 1, 1, 1, 0.868198, 0.55, 0.231802, 0.1, 0.1], {
      abs: 1e-6,
    });
  });
});

describe("C18 timm CosineLRScheduler", () => {
  it("C18 t_initial 100, lr_min 0.001: step 50 → 0.0505, step 100 → 0.001", () => {
    const v = stepView(SchedCos(0.1, 0.001), 100);
    expectClose([v(50)], [0.0505], { rel: 1e-2 });
    expect(v(100)).toBeCloseTo(0.001, 15);
  });

  it("C18 cycle_limit 2, t_initial 50: any t ≥ 100 gives lr_min", () => {
    const v = stepView(cosineRestarts({ max: 0.1, min: 0.001, cycles: 2 }), 100);
    for (const t of [100, 101, 150, 1000]) expect(v(t)).toBeCloseTo(0.001, 15);
    expect(v(50)).toBeCloseTo(0.1, 15);
  });

  it("C18 warmup_t 5 from 0.001 with warmup_prefix: 0.001 at 0, strictly increasing, exactly 0.1 at step 5", () => {
    const v = stepView(withWarmup(SchedCos(0.1, 0.001), { pct: 5 / 105, init: 0.001 }), 105);
    expect(v(0)).toBe(0.001);
    const warm = at(v, [0, 1, 2, 3, 4, 5]);
    for (let t = 1; t < warm.length; t++) expect(warm[t] as number).toBeGreaterThan(warm[t - 1] as number);
    expect(v(5)).toBe(0.1);
  });

  it("C18 get_cycle_length: a 100-step cycle after a 10-step warmup prefix ends at step 110", () => {
    const v = stepView(withWarmup(SchedCos(0.1, 0.001), { pct: 10 / 110, init: 0.001 }), 110);
    expect(v(10)).toBe(0.1);
    expect(v(109)).toBeGreaterThan(0.001);
    expect(v(110)).toBeCloseTo(0.001, 15);
  });
});
