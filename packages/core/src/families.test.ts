/** Behaviour of the families beyond the anchor cases: shapes, per-group arrays, boundary conventions, composition. */
import { describe, expect, it } from "vitest";
import {
  combinedCos,
  cosineRestarts,
  cyclical,
  mulScheds,
  multiStep,
  oneCycle,
  piecewiseInterpolate,
  SchedCos,
  SchedExp,
  SchedLin,
  SchedNo,
  SchedPoly,
  SchedPolyDecay,
  scaleSched,
  staircase,
  stepDecay,
  warmupStableDecay,
  withWarmup,
} from "./index.js";
import { at, expectClose, range } from "./test-close.js";

const EXACT = { abs: 1e-12 };

describe("oneCycle", () => {
  it("with fastai's defaults is fastai's combinedCos (pctStart 0.25, cosine)", () => {
    const a = oneCycle({ start: 4e-4, peak: 1e-2, end: 1e-7 });
    const b = combinedCos(0.25, 4e-4, 1e-2, 1e-7);
    const ps = range(101).map((i) => i / 100);
    expect(at(a, ps)).toEqual(at(b, ps));
  });

  it("per parameter group, as fitOneCycle with lrMax = slice(1e-3, 1e-2) over two groups", () => {
    const s = oneCycle({ start: [1e-3 / 25, 1e-2 / 25], peak: [1e-3, 1e-2], end: [1e-8, 1e-7] });
    expectClose(
      at(s, [0, 0.25, 1]),
      [
        [4e-5, 4e-4],
        [1e-3, 1e-2],
        [1e-8, 1e-7],
      ],
      EXACT,
    );
  });

  it("three phases go start → peak → start → end", () => {
    const s = oneCycle({ start: 1, peak: 10, end: 0, pctStart: 0.25, pctFinal: 0.5 });
    expectClose(at(s, [0, 0.25, 0.5, 0.75, 1]), [1, 10, 1, 0.5, 0], EXACT);
  });
});

describe("withWarmup and warmupStableDecay", () => {
  it("a cosine warmup ramps from init to the schedule's start", () => {
    const s = withWarmup(SchedExp(1, 0.01), { pct: 0.5, init: 0, shape: "cos" });
    expectClose(at(s, [0, 0.25, 0.5, 0.75, 1]), [0, 0.5, 1, 0.1, 0.01], EXACT);
  });

  it("a per-group schedule warms up every group from a scalar init", () => {
    const s = withWarmup(SchedLin([1, 2], 0), { pct: 0.5 });
    expectClose(
      at(s, [0.25, 0.5]),
      [
        [0.5, 1],
        [1, 2],
      ],
      EXACT,
    );
  });

  it("pct 0 is no warmup at all", () => {
    const s = withWarmup(SchedCos(1, 0), { pct: 0, init: 5 });
    expect(s(0)).toBe(1);
  });

  it("HF 1-sqrt shapes: warmup 1 − √(1 − t), decay 1 − √t, scaled to [minRatio, 1]", () => {
    const s = warmupStableDecay({
      peak: 2,
      warmupPct: 0.2,
      decayPct: 0.4,
      minRatio: 0.1,
      warmup: "1-sqrt",
      decay: "1-sqrt",
    });
    const hf = (f: number) => 2 * (f * 0.9 + 0.1);
    expectClose(
      at(s, [0, 0.1, 0.2, 0.5, 0.6, 0.7, 0.9, 1]),
      [
        hf(0),
        hf(1 - Math.sqrt(0.5)),
        hf(1),
        hf(1),
        hf(1),
        hf(1 - Math.sqrt(0.25)),
        hf(1 - Math.sqrt(0.75)),
        hf(0),
      ],
      EXACT,
    );
  });

  it("an explicit init overrides peak·minRatio for the warmup start only", () => {
    const s = warmupStableDecay({ peak: 1, warmupPct: 0.5, decayPct: 0.5, minRatio: 0.5, init: 0 });
    expectClose(at(s, [0, 0.25, 0.5, 1]), [0, 0.5, 1, 0.5], EXACT);
  });
});

describe("cosineRestarts", () => {
  it("fractional cycleMult: cycles of 1, 1.5, 2.25 (normalised) fill [0, 1] exactly", () => {
    const s = cosineRestarts({ max: 1, cycles: 3, cycleMult: 1.5 });
    const total = 1 + 1.5 + 2.25;
    expectClose(at(s, [0, 1 / total, 2.5 / total, 1]), [1, 1, 1, 0], EXACT);
    expect(s(0.5 / total)).toBeCloseTo(0.5, 12);
    expect(s(1.75 / total)).toBeCloseTo(0.5, 12);
  });

  it("per-cycle peak decay multiplies each cycle's peak, the floor stays", () => {
    const s = cosineRestarts({ max: 1, min: 0.1, cycles: 3, decay: 0.5 });
    expectClose(at(s, [0, 1 / 3, 2 / 3, 1]), [1, 0.5, 0.25, 0.1], EXACT);
  });

  it("a shrinking cycleMult < 1 works when the number of cycles is given", () => {
    // Cycle lengths 1 and 0.5, normalised: the restart is at 2/3.
    const s = cosineRestarts({ max: 1, cycles: 2, cycleMult: 0.5 });
    expectClose(at(s, [0, 1 / 3, 2 / 3 - 1e-9, 2 / 3, 5 / 6, 1]), [1, 0.5, 0, 1, 0.5, 0], { abs: 1e-6 });
  });

  it("with firstPct, the last cycle is cut by the end of the schedule", () => {
    const s = cosineRestarts({ max: 1, firstPct: 0.4 });
    expectClose(at(s, [0.4, 0.8, 1]), [1, 1, 0.5], EXACT);
  });
});

describe("cyclical", () => {
  it("a cycle longer than the schedule is just its rising part", () => {
    const s = cyclical({ start: 0, peak: 1, up: 2 });
    expectClose(at(s, [0, 0.5, 1]), [0, 0.25, 0.5], EXACT);
  });

  it("down 0 is a sawtooth", () => {
    const s = cyclical({ start: 0, peak: 1, up: 0.5, down: 0 });
    expectClose(at(s, [0, 0.25, 0.5, 0.75, 1]), [0, 0.5, 0, 0.5, 0], EXACT);
  });
});

describe("step shapes and boundary conventions", () => {
  it("stepDecay: 'new' switches at each boundary, 'old' just after it", () => {
    const fresh = stepDecay({ base: 1, every: 0.25, gamma: 0.5 });
    const kept = stepDecay({ base: 1, every: 0.25, gamma: 0.5, atBoundary: "old" });
    expect(at(fresh, [0, 0.25, 0.3, 0.5, 1])).toEqual([1, 0.5, 0.5, 0.25, 0.0625]);
    expect(at(kept, [0, 0.25, 0.3, 0.5, 1])).toEqual([1, 1, 0.5, 0.5, 0.125]);
  });

  it("step counting is not fooled by float division (6/19 ÷ 3/19 is 2 steps)", () => {
    const s = stepDecay({ base: 1, every: 3 / 19, gamma: 0.1 });
    expect(s(6 / 19)).toBeCloseTo(0.01, 15);
  });

  it("multiStep per group and 'old' boundaries", () => {
    const s = multiStep({ base: [1, 10], milestones: [0.5], gamma: 0.1, atBoundary: "old" });
    expectClose(
      at(s, [0.5, 0.6]),
      [
        [1, 10],
        [0.1, 1],
      ],
      EXACT,
    );
  });

  it("staircase holds any schedule's value over each step", () => {
    const s = staircase(SchedLin(0, 1), 0.25);
    expect(at(s, [0, 0.2, 0.25, 0.6, 0.99, 1])).toEqual([0, 0, 0.25, 0.5, 0.75, 1]);
    const old = staircase(SchedLin(0, 1), 0.25, "old");
    expect(at(old, [0.25, 0.26, 1])).toEqual([0, 0.25, 0.75]);
  });

  it("piecewiseInterpolate holds the first and last values outside its knots", () => {
    const s = piecewiseInterpolate({
      knots: [
        [0.2, 1],
        [0.6, [3, 5]],
      ],
    });
    expectClose(
      at(s, [0, 0.2, 0.4, 0.6, 1]),
      [
        [1, 1],
        [1, 1],
        [2, 3],
        [3, 5],
        [3, 5],
      ],
      EXACT,
    );
  });
});

describe("arithmetic", () => {
  it("scaleSched: a 0..1 shape times per-group base learning rates, plus an offset", () => {
    const s = scaleSched(SchedCos(1, 0), [1e-3, 1e-2], 1e-6);
    expectClose(
      at(s, [0, 1]),
      [
        [1e-3 + 1e-6, 1e-2 + 1e-6],
        [1e-6, 1e-6],
      ],
      { abs: 1e-18 },
    );
    expect(scaleSched(SchedLin(1, 3), 2)(0.5)).toBe(4);
  });

  it("mulScheds broadcasts scalars over groups", () => {
    const s = mulScheds([SchedLin(0, 1), SchedNo([2, 4], 0), SchedPoly(1, 1, 3)]);
    expect(s(0.5)).toEqual([1, 2]);
  });

  it("SchedPolyDecay is the reflection of SchedPoly: polyDecay(s, e, k)(p) = poly(e, s, k)(1 − p)", () => {
    for (const p of [0, 0.1, 0.5, 0.9, 1]) {
      expect(SchedPolyDecay(3, 1, 2)(p)).toBeCloseTo(SchedPoly(1, 3, 2)(1 - p), 12);
    }
  });
});
