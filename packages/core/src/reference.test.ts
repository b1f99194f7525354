/** fastai-behaviour.md §1 and §9: the reference's annealers, combineScheds and combinedCos. */
import { describe, expect, it } from "vitest";
import {
  combinedCos,
  combineScheds,
  SchedCos,
  SchedExp,
  SchedLin,
  SchedNo,
  SchedPoly,
  ScheduleError,
  scheduleFromJSON,
} from "./index.js";
import { at, expectClose, range } from "./test-close.js";

const P5 = [0, 0.25, 0.5, 0.75, 1];
// fastcore's test_close default: absolute 1e-5.
const EPS = { abs: 1e-5 };

describe("spec §9 items 1–9 (14_callback.schedule notebook)", () => {
  it("§9.1 SchedCos(0,5) serializes (the reference pickles it) and comes back equal", () => {
    const s = SchedCos(0, 5);
    const back = scheduleFromJSON(JSON.parse(JSON.stringify(s)));
    expect(back.toJSON()).toEqual({ type: "SchedCos", start: 0, end: 5 });
    for (const p of [0, 0.1, 0.37, 0.5, 0.99, 1]) expect(back(p)).toBe(s(p));
  });

  it("§9.2 SchedLin(0,2) at P5 is exactly [0, 0.5, 1, 1.5, 2]", () => {
    expect(at(SchedLin(0, 2), P5)).toEqual([0, 0.5, 1, 1.5, 2]);
  });

  it("§9.3 SchedCos(0,2) at P5", () => {
    expectClose(at(SchedCos(0, 2), P5), [0, 0.29289, 1, 1.70711, 2], EPS);
  });

  it("§9.4 SchedNo(0,2) at P5 is all 0", () => {
    expect(at(SchedNo(0, 2), P5)).toEqual([0, 0, 0, 0, 0]);
  });

  it("§9.5 SchedExp(1,2) at P5", () => {
    // biome-ignore lint/suspicious/noApproximativeNumericConstant: the notebook's listed (rounded) values
    expectClose(at(SchedExp(1, 2), P5), [1, 1.18921, 1.41421, 1.68179, 2], EPS);
  });

  it("§9.6 SchedPoly(0,2,2) at P5", () => {
    expectClose(at(SchedPoly(0, 2, 2), P5), [0, 0.125, 0.5, 1.125, 2], EPS);
  });

  it("§9.7 combineScheds([.3,.2,.5], [SchedLin(0,1), SchedNo(1,1), SchedCos(1,0)])", () => {
    const f = combineScheds([0.3, 0.2, 0.5], [SchedLin(0, 1), SchedNo(1, 1), SchedCos(1, 0)]);
    expectClose(at(f, [0, 0.15, 0.3, 0.4, 0.5, 0.7, 1]), [0, 0.5, 1, 1, 1, 0.65451, 0], EPS);
  });

  it("§9.8 combinedCos(.25, .5, 1, 0)", () => {
    expectClose(at(combinedCos(0.25, 0.5, 1, 0), [0, 0.1, 0.25, 0.5, 1]), [0.5, 0.67275, 1, 0.75, 0], EPS);
  });

  it("§9.9 combinedCos(.25, [.25,.5], [.5,1], [0,0]) gives one value per group", () => {
    const f = combinedCos(0.25, [0.25, 0.5], [0.5, 1], [0, 0]);
    expectClose(
      at(f, [0, 0.1, 0.25, 0.5, 1]),
      [
        [0.25, 0.5],
        [0.33638, 0.67275],
        [0.5, 1],
        [0.375, 0.75],
        [0, 0],
      ],
      EPS,
    );
  });
});

describe("spec §9 items 13, 14, 17: the schedules behind the ParamScheduler checks", () => {
  it("§9.13 one-cycle lr = combinedCos(.25, 4e-4, 1e-2, 1e-7) at i/20", () => {
    const expected = [
      4e-4, 1.31672e-3, 3.71672e-3, 6.68328e-3, 9.08328e-3, 1e-2, 9.89074e-3, 9.56773e-3, 9.04509e-3,
      8.34567e-3, 7.50002e-3, 6.54512e-3, 5.52269e-3, 4.47741e-3, 3.45498e-3, 2.50007e-3, 1.65443e-3,
      9.55005e-4, 4.32369e-4, 1.09361e-4,
    ];
    // The listed values have 6 significant digits.
    expectClose(
      at(
        combinedCos(0.25, 4e-4, 1e-2, 1e-7),
        range(20).map((i) => i / 20),
      ),
      expected,
      { rel: 1e-5 },
    );
  });

  it("§9.14 one-cycle mom = combinedCos(.25, .95, .85, .95) at i/20", () => {
    const expected = [
      0.95, 0.940451, 0.915451, 0.884549, 0.859549, 0.85, 0.851093, 0.854323, 0.859549, 0.866543, 0.875,
      0.884549, 0.894774, 0.905226, 0.915451, 0.925, 0.933457, 0.940451, 0.945677, 0.948907,
    ];
    expectClose(
      at(
        combinedCos(0.25, 0.95, 0.85, 0.95),
        range(20).map((i) => i / 20),
      ),
      expected,
      EPS,
    );
  });

  it("§9.17 fitSgdr(3,1) lr: every cycle is SchedCos(1e-3, 0) over its own iterations", () => {
    const sgdr = combineScheds(
      [1 / 7, 2 / 7, 4 / 7],
      [0, 1, 2].map(() => SchedCos(1e-3, 0)),
    );
    const iters = [0, 10, 30, 70];
    for (let c = 0; c < 3; c++) {
      const n = (iters[c + 1] as number) - (iters[c] as number);
      const got = range(n - 1).map((k) => sgdr(((iters[c] as number) + k + 1) / 70));
      const want = range(n - 1).map((k) => SchedCos(1e-3, 0)((k + 1) / n));
      expectClose(got, want, EPS);
    }
    // Unlike the reference (whose float32 boundary test can put iteration 30 in the previous cycle, lr ≈ 0),
    // the first iteration of each cycle starts the new cycle at lr_max.
    expect(sgdr(10 / 70)).toBe(1e-3);
    expect(sgdr(30 / 70)).toBe(1e-3);
  });
});

describe("combineScheds boundary rules (spec §1) and the fixes of architecture §4", () => {
  const jump = () => combineScheds([0.5, 0.5], [SchedLin(0, 1), SchedLin(10, 20)]);

  it("a pos exactly on an internal boundary goes to the later piece with actual = 0", () => {
    expect(jump()(0.5)).toBe(10);
    expect(jump()(0.5 - 1e-6)).toBeCloseTo(1, 5);
  });

  it("a pos within float noise of a boundary counts as on it (0.1 + 0.2 ≠ 0.3 in float64)", () => {
    const f = combineScheds([0.1, 0.2, 0.7], [SchedNo(1, 1), SchedNo(2, 2), SchedNo(3, 3)]);
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(f(0.3)).toBe(3);
    expect(f(0.1)).toBe(2);
  });

  it("zero-width pieces are skipped", () => {
    const f = combineScheds([0.5, 0, 0.5], [SchedLin(0, 1), SchedNo(99, 99), SchedLin(10, 20)]);
    expect(at(f, [0, 0.25, 0.5, 0.75, 1])).toEqual([0, 0.5, 10, 15, 20]);
  });

  it("pos 1 gives the last piece's end value", () => {
    expect(jump()(1)).toBe(20);
  });

  it("fix: a zero-width last piece gives the end of the last non-empty piece at pos 1, not NaN", () => {
    const f = combinedCos(1, 0.1, 1, 0); // pct_start = 1: the reference gives 0/0 = NaN at pos 1
    expect(f(1)).toBe(1);
    const g = combineScheds([0.6, 0.4, 0, 0], [SchedLin(0, 1), SchedLin(1, 3), SchedNo(7, 7), SchedNo(8, 8)]);
    expect(g(1)).toBe(3);
    expect(g(0.8)).toBeCloseTo(2, 12);
  });

  it("fix: pcts may sum to 1 within 1e-9 (the reference demands exact float equality)", () => {
    const f = combineScheds([0.3, 0.3, 0.4 + 5e-10], [SchedNo(1, 1), SchedNo(2, 2), SchedLin(3, 4)]);
    expect(f(1)).toBe(4);
    expect(() =>
      combineScheds([0.3, 0.3, 0.4 + 2e-9], [SchedNo(1, 1), SchedNo(2, 2), SchedNo(3, 3)]),
    ).toThrow(/combineScheds: pcts must sum to 1 \(within 1e-9\), got sum 1\.000000002/);
  });

  it("fix: pcts and scheds must have the same length (the reference ignores extras or hits an index error)", () => {
    expect(() => combineScheds([0.5, 0.5], [SchedNo(1, 1)])).toThrow(
      "combineScheds: scheds has 1 entries but pcts has 2; give one schedule per pct",
    );
    expect(() => combineScheds([1], [SchedNo(1, 1), SchedNo(2, 2)])).toThrow(ScheduleError);
  });

  it("negative pcts are rejected naming the index and value", () => {
    expect(() => combineScheds([1.5, -0.5], [SchedNo(1, 1), SchedNo(2, 2)])).toThrow(
      "combineScheds: pcts[1] must be a finite number ≥ 0, got -0.5",
    );
  });

  it("pieces see their own local position and are called through their kernels only once per call", () => {
    const seen: number[] = [];
    const spy = Object.assign(
      (p: number) => {
        seen.push(p);
        return p;
      },
      { toJSON: () => ({ type: "spy" }) },
    );
    const f = combineScheds([0.25, 0.75], [SchedNo(0, 0), spy]);
    seen.length = 0;
    f(0.625);
    expect(seen).toEqual([0.5]);
  });

  it("scalar and per-group pieces mix: scalars are broadcast, the output is always per group", () => {
    const f = combineScheds([0.5, 0.5], [SchedLin(0, 1), SchedLin([1, 2], [3, 4])]);
    expect(f(0.25)).toEqual([0.5, 0.5]);
    expect(f(0.75)).toEqual([2, 3]);
  });

  it("per-group pieces with different group counts are rejected", () => {
    expect(() => combineScheds([0.5, 0.5], [SchedLin([0, 1], 1), SchedLin([1, 2, 3], 3)])).toThrow(
      "combineScheds: scheds[1] gives 3 values (one per parameter group) but scheds[0] gives 2",
    );
  });

  it("more than 8 pieces (binary search) follows the same rules", () => {
    const n = 20;
    const f = combineScheds(
      range(n).map(() => 1 / n),
      range(n).map((i) => SchedLin(i, i + 1)),
    );
    expect(f(0)).toBe(0);
    expect(f(1)).toBe(20);
    for (let i = 1; i < n; i++) expect(f(i / n)).toBe(i);
    expect(f(0.5 + 0.025)).toBeCloseTo(10.5, 12);
  });
});

describe("per-group arrays (spec §1)", () => {
  it("scalars and arrays mix: array start with scalar end", () => {
    expect(SchedLin([0, 10], 20)(0.5)).toEqual([10, 15]);
    expect(SchedExp(1, [2, 4])(0.5)).toEqual([Math.SQRT2, 2]);
  });

  it("same shape out: a one-element array stays an array, scalars stay scalars", () => {
    expect(SchedCos([1], 0)(1)).toEqual([0]);
    expect(typeof SchedCos(1, 0)(0.3)).toBe("number");
  });

  it("mismatched lengths are a ScheduleError naming both arguments", () => {
    expect(() => SchedLin([1, 2], [1, 2, 3])).toThrow(
      "SchedLin: end has 3 values (one per parameter group) but start has 2",
    );
    expect(() => combinedCos(0.25, [1, 2], 3, [4, 5, 6])).toThrow(
      "combinedCos: end has 3 values (one per parameter group) but start has 2",
    );
  });

  it("each call returns a fresh array, and mutating the inputs later changes nothing", () => {
    const start = [1, 2];
    const f = SchedLin(start, 0);
    const a = f(0);
    start[0] = 100;
    expect(f(0)).toEqual([1, 2]);
    expect(f(0)).not.toBe(a);
  });
});
