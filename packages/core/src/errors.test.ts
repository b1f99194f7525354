/** Bad input throws a ScheduleError that names the function, the argument and the value. */
import { describe, expect, it } from "vitest";
import {
  combinedCos,
  combineScheds,
  cosineRestarts,
  cyclical,
  multiStep,
  oneCycle,
  piecewiseConstant,
  piecewiseInterpolate,
  SchedCos,
  SchedCosPow,
  SchedExp,
  SchedInvSqrt,
  SchedLin,
  SchedNo,
  SchedPoly,
  SchedPolyDecay,
  sample,
  stepDecay,
  stepView,
  warmupStableDecay,
  withWarmup,
} from "./index.js";
import { thrown } from "./test-close.js";

describe("ScheduleError", () => {
  it("is a named Error subclass carrying the argument and the value", () => {
    const e = thrown(() => SchedLin(Number.NaN, 1));
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe("ScheduleError");
    expect(e.message).toBe("SchedLin: start must be a finite number, got NaN");
    expect(e.argument).toBe("start");
    expect(e.value).toBeNaN();
  });
});

describe("non-finite parameters", () => {
  const cases: [string, () => unknown, string][] = [
    ["NaN start", () => SchedCos(Number.NaN, 1), "SchedCos: start must be a finite number, got NaN"],
    [
      "+Infinity end",
      () => SchedLin(0, Number.POSITIVE_INFINITY),
      "SchedLin: end must be a finite number, got Infinity",
    ],
    [
      "-Infinity in a group",
      () => SchedNo([1, Number.NEGATIVE_INFINITY], 0),
      "SchedNo: start[1] must be a finite number, got -Infinity",
    ],
    ["NaN power", () => SchedPoly(0, 1, Number.NaN), "SchedPoly: power must be a finite number, got NaN"],
    [
      "a string",
      () => SchedLin("1" as unknown as number, 2),
      'SchedLin: start must be a finite number or a non-empty array of finite numbers (one per parameter group), got "1"',
    ],
    [
      "an empty array",
      () => SchedLin([], 2),
      "SchedLin: start must be a finite number or a non-empty array of finite numbers (one per parameter group), got []",
    ],
    ["NaN pct", () => combinedCos(Number.NaN, 1, 2, 3), "combinedCos: pct must be a finite number, got NaN"],
    [
      "Infinity pct",
      () => combineScheds([Number.POSITIVE_INFINITY], [SchedNo(1, 1)]),
      "combineScheds: pcts[0] must be a finite number ≥ 0, got Infinity",
    ],
    [
      "NaN peak",
      () => oneCycle({ start: 1, peak: Number.NaN, end: 0 }),
      "oneCycle: peak must be a finite number, got NaN",
    ],
    [
      "Infinity cycleMult",
      () => cosineRestarts({ max: 1, cycles: 2, cycleMult: Number.POSITIVE_INFINITY }),
      "cosineRestarts: cycleMult must be a finite number, got Infinity",
    ],
    [
      "NaN boundary",
      () => piecewiseConstant({ boundaries: [Number.NaN], values: [1, 2] }),
      "piecewiseConstant: boundaries[0] must be a finite number, got NaN",
    ],
  ];
  for (const [name, build, message] of cases) {
    it(`${name}: ${message}`, () => {
      expect(thrown(build).message).toBe(message);
    });
  }
});

describe("values outside a parameter's domain", () => {
  const cases: [string, () => unknown, string | RegExp][] = [
    ["SchedExp start 0", () => SchedExp(0, 1), "SchedExp: start must be > 0, got 0"],
    ["SchedExp start < 0", () => SchedExp(-1, 1), "SchedExp: start must be > 0, got -1"],
    ["SchedExp end 0", () => SchedExp(1, 0), "SchedExp: end must be > 0, got 0"],
    ["SchedExp a group's start", () => SchedExp([1, 0], 1), "SchedExp: start[1] must be > 0, got 0"],
    ["SchedInvSqrt end ≤ 0", () => SchedInvSqrt(1, -2), "SchedInvSqrt: end must be > 0, got -2"],
    ["SchedPoly power 0", () => SchedPoly(0, 1, 0), "SchedPoly: power must be > 0, got 0"],
    ["SchedPolyDecay power < 0", () => SchedPolyDecay(1, 0, -1), "SchedPolyDecay: power must be > 0, got -1"],
    ["SchedCosPow exponent 0", () => SchedCosPow(1, 0, 0), "SchedCosPow: exponent must be > 0, got 0"],
    [
      "negative pct",
      () => combineScheds([1.2, -0.2], [SchedNo(1, 1), SchedNo(2, 2)]),
      "combineScheds: pcts[1] must be a finite number ≥ 0, got -0.2",
    ],
    [
      "pcts not summing to 1",
      () => combineScheds([0.5, 0.4], [SchedNo(1, 1), SchedNo(2, 2)]),
      "combineScheds: pcts must sum to 1 (within 1e-9), got sum 0.9",
    ],
    ["combinedCos pct > 1", () => combinedCos(1.5, 1, 2, 3), "combinedCos: pct must be in [0, 1], got 1.5"],
    [
      "a non-schedule piece",
      () => combineScheds([1], [3 as never]),
      "combineScheds: scheds[0] must be a schedule (a function of pos with toJSON), got 3",
    ],
    [
      "oneCycle pctFinal < pctStart",
      () => oneCycle({ start: 1, peak: 2, end: 0, pctStart: 0.5, pctFinal: 0.4 }),
      "oneCycle: pctFinal must be ≥ pctStart (0.5), got 0.4",
    ],
    [
      "oneCycle anneal",
      () => oneCycle({ start: 1, peak: 2, end: 0, anneal: "exp" as never }),
      'oneCycle: anneal must be one of "cos", "linear", got "exp"',
    ],
    [
      "withWarmup pct 1.5 (longer than the schedule)",
      () => withWarmup(SchedCos(1, 0), { pct: 1.5 }),
      "withWarmup: pct must be in [0, 1), got 1.5",
    ],
    [
      "warmupStableDecay phases > 1",
      () => warmupStableDecay({ peak: 1, warmupPct: 0.6, decayPct: 0.5 }),
      "warmupStableDecay: warmupPct + decayPct must be ≤ 1, got 0.6 + 0.5 = 1.1",
    ],
    [
      "warmupStableDecay decayPct 0",
      () => warmupStableDecay({ peak: 1, warmupPct: 0.1, decayPct: 0 }),
      "warmupStableDecay: decayPct must be > 0, got 0",
    ],
    [
      "cosineRestarts neither cycles nor firstPct",
      () => cosineRestarts({ max: 1 }),
      "cosineRestarts: give exactly one of cycles or firstPct, got cycles=undefined and firstPct=undefined",
    ],
    [
      "cosineRestarts both",
      () => cosineRestarts({ max: 1, cycles: 2, firstPct: 0.5 }),
      "cosineRestarts: give exactly one of cycles or firstPct, got cycles=2 and firstPct=0.5",
    ],
    [
      "cosineRestarts fractional cycles",
      () => cosineRestarts({ max: 1, cycles: 2.5 }),
      "cosineRestarts: cycles must be an integer ≥ 1, got 2.5",
    ],
    [
      "cosineRestarts shrinking cycles that never reach pos 1",
      () => cosineRestarts({ max: 1, firstPct: 0.2, cycleMult: 0.5 }),
      /cosineRestarts: with cycleMult 0.5 < 1 the cycles shrink and add up to firstPct\/\(1 − cycleMult\) = 0.4/,
    ],
    ["cyclical up 0", () => cyclical({ start: 1, peak: 2, up: 0 }), "cyclical: up must be > 0, got 0"],
    [
      "cyclical gammaPerUp without expRange",
      () => cyclical({ start: 1, peak: 2, up: 0.1, gammaPerUp: 0.9 }),
      'cyclical: gammaPerUp only applies to mode "expRange", got mode "triangular"',
    ],
    [
      "piecewiseConstant value count",
      () => piecewiseConstant({ boundaries: [0.5], values: [1] }),
      "piecewiseConstant: values has 1 entries but boundaries has 1; give boundaries.length + 1 = 2 values",
    ],
    [
      "piecewiseConstant unsorted boundaries",
      () => piecewiseConstant({ boundaries: [0.5, 0.5], values: [1, 2, 3] }),
      "piecewiseConstant: boundaries[1] must be greater than boundaries[0] = 0.5 (strictly increasing), got 0.5",
    ],
    [
      "piecewiseConstant atBoundary",
      () => piecewiseConstant({ boundaries: [0.5], values: [1, 2], atBoundary: "after" as never }),
      'piecewiseConstant: atBoundary must be one of "new", "old", got "after"',
    ],
    [
      "multiStep milestone > 1",
      () => multiStep({ base: 1, milestones: [1.5] }),
      "multiStep: milestones[0] must be in [0, 1], got 1.5",
    ],
    ["stepDecay every 0", () => stepDecay({ base: 1, every: 0 }), "stepDecay: every must be > 0, got 0"],
    [
      "piecewiseInterpolate unsorted knots",
      () =>
        piecewiseInterpolate({
          knots: [
            [0.5, 1],
            [0.2, 2],
          ],
        }),
      "piecewiseInterpolate: knots[1][0] must be ≥ knots[0][0] = 0.5 (sorted by pos), got 0.2",
    ],
    [
      "group counts that disagree",
      () => oneCycle({ start: [1, 2], peak: 3, end: [1, 2, 3] }),
      "oneCycle: end has 3 values (one per parameter group) but start has 2",
    ],
    ["stepView totalSteps 0", () => stepView(SchedLin(0, 1), 0), "stepView: totalSteps must be > 0, got 0"],
    ["sample n 0", () => sample(SchedLin(0, 1), 0), "sample: n must be an integer ≥ 1, got 0"],
  ];
  for (const [name, build, message] of cases) {
    it(`${name}`, () => {
      const e = thrown(build);
      if (typeof message === "string") expect(e.message).toBe(message);
      else expect(e.message).toMatch(message);
    });
  }
});

describe("pos outside [0, 1]: every schedule rejects it (within a 1e-9 allowance, which is clamped)", () => {
  const schedules = {
    annealer: SchedLin(0, 2),
    combined: combinedCos(0.25, 1, 2, 0),
    family: cosineRestarts({ max: 1, cycles: 3 }),
  };
  for (const [kind, s] of Object.entries(schedules)) {
    it(`${kind} (${s.name}): 1.5, −0.1, NaN, ±Infinity and non-numbers are errors naming pos`, () => {
      for (const bad of [
        1.5,
        -0.1,
        1 + 1e-6,
        Number.NaN,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
      ]) {
        expect(thrown(() => s(bad)).message).toBe(
          `${s.name}: pos must be a finite number in [0, 1], got ${bad}`,
        );
      }
      expect(thrown(() => s("0.5" as unknown as number)).message).toBe(
        `${s.name}: pos must be a finite number in [0, 1], got "0.5"`,
      );
    });

    it(`${kind}: accumulated float error just past the ends is clamped`, () => {
      expect(s(1 + 1e-10)).toBe(s(1));
      expect(s(-1e-10)).toBe(s(0));
    });
  }

  it("stepView rejects negative and non-finite steps", () => {
    const v = stepView(SchedLin(0, 1), 10);
    expect(thrown(() => v(-1)).message).toBe("stepView: step must be a finite number ≥ 0, got -1");
    expect(thrown(() => v(Number.NaN)).message).toBe("stepView: step must be a finite number ≥ 0, got NaN");
    expect(thrown(() => v(Number.POSITIVE_INFINITY)).message).toBe(
      "stepView: step must be a finite number ≥ 0, got Infinity",
    );
  });
});
