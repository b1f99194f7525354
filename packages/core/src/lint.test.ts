/** lintSchedule: structured findings for what users get wrong. */
import { describe, expect, it } from "vitest";
import {
  combinedCos,
  combineScheds,
  cyclical,
  lintSchedule,
  oneCycle,
  SchedCos,
  SchedExp,
  SchedLin,
  SchedNo,
  type Schedule,
  withWarmup,
} from "./index.js";

const codes = (r: ReturnType<typeof lintSchedule>) => r.findings.map((f) => f.code);

describe("lintSchedule", () => {
  it("a fitOneCycle lr and mom pass", () => {
    expect(lintSchedule(combinedCos(0.25, 4e-4, 1e-2, 1e-7), { hyper: "lr" })).toEqual({
      ok: true,
      findings: [],
    });
    expect(lintSchedule(combinedCos(0.25, 0.95, 0.85, 0.95), { hyper: "mom" })).toEqual({
      ok: true,
      findings: [],
    });
  });

  it("momentum reaching 1 or more is an error located at its first sample", () => {
    const r = lintSchedule(combinedCos(0.25, 0.95, 0.85, 1.05), { hyper: "mom", samples: 101 });
    expect(r.ok).toBe(false);
    expect(r.findings).toHaveLength(1);
    const f = r.findings[0];
    expect(f).toMatchObject({ code: "momentum-range", severity: "error" });
    // SchedCos(0.85, 1.05) reaches 1 where (1 − cos(πt))/2 = 0.75, i.e. t = 2/3 → pos 0.25 + 0.75·2/3 = 0.75;
    // exactly 1 is already out of range, and so are the 26 samples from pos 0.75 to 1.
    expect(f?.pos).toBe(0.75);
    expect(f?.value).toBeCloseTo(1, 12);
    expect(f?.count).toBe(26);
    expect(f?.message).toMatch(
      /^mom is outside \[0, 1\) \(a momentum of 1 or more diverges\) at 26 of 101 sampled positions \(first at pos 0\.75: /,
    );
  });

  it("momentum-like names are recognised (beta1, sqrMom), negative momentum too; other names are not checked for < 1", () => {
    expect(codes(lintSchedule(SchedLin(0.9, 1), { hyper: "beta1" }))).toEqual(["momentum-range"]);
    expect(codes(lintSchedule(SchedLin(0.9, -0.1), { hyper: "sqrMom" }))).toEqual(["momentum-range"]);
    expect(lintSchedule(SchedLin(0.9, 1.5), { hyper: "lr" }).ok).toBe(true);
  });

  it("negative values name the parameter group", () => {
    const r = lintSchedule(SchedLin([1, 1], [0, -1]), { hyper: "lr", samples: 11 });
    expect(r.findings).toEqual([
      {
        code: "negative",
        severity: "error",
        message:
          "lr of parameter group 1 is negative at 5 of 11 sampled positions (first at pos 0.6: -0.19999999999999996)",
        pos: 0.6,
        value: -0.19999999999999996,
        count: 5,
        group: 1,
      },
    ]);
  });

  it("non-finite values: valid parameters can still overflow (end/start = 1e600 is Infinity)", () => {
    const r = lintSchedule(SchedExp(1e-300, 1e300), { samples: 5 });
    expect(r.ok).toBe(false);
    expect(r.findings[0]).toMatchObject({
      code: "non-finite",
      pos: 0.25,
      value: Number.POSITIVE_INFINITY,
      count: 4,
    });
  });

  it("a warmup over the whole schedule: allowed by combinedCos / oneCycle (as the reference), flagged here", () => {
    const r = lintSchedule(combinedCos(1, 0.1, 1, 0));
    expect(r.ok).toBe(false);
    expect(r.findings[0]).toMatchObject({
      code: "warmup-covers-schedule",
      path: "spec.pct",
      message: "the warmup (pct = 1) takes 100% of the schedule: nothing after it ever runs",
    });
    expect(codes(lintSchedule(oneCycle({ start: 1, peak: 2, end: 0, pctStart: 1 })))).toEqual([
      "warmup-covers-schedule",
    ]);
  });

  it("a spec whose warmup is longer than the schedule: the cause and the build error", () => {
    const r = lintSchedule({ type: "withWarmup", pct: 1.5, sched: { type: "SchedCos", start: 1, end: 0 } });
    expect(r.ok).toBe(false);
    expect(r.findings.map((f) => [f.code, f.path])).toEqual([
      ["warmup-covers-schedule", "spec.pct"],
      ["invalid-spec", "spec.pct"],
    ]);
    expect(r.findings[0]?.message).toBe(
      "the warmup (pct = 1.5) takes 150% of the schedule: nothing after it ever runs",
    );
    expect(r.findings[1]?.message).toBe(
      "scheduleFromJSON: spec (withWarmup): withWarmup: pct must be in [0, 1), got 1.5",
    );
  });

  it("warmupStableDecay phases adding up to more than the schedule", () => {
    const r = lintSchedule({ type: "warmupStableDecay", peak: 1, warmupPct: 0.5, decayPct: 0.6 });
    expect(codes(r)).toEqual(["warmup-covers-schedule", "invalid-spec"]);
  });

  it("zero-width pieces are warnings, not errors", () => {
    const r = lintSchedule(combineScheds([0.5, 0, 0.5], [SchedLin(0, 1), SchedNo(5, 5), SchedCos(1, 0)]));
    expect(r.ok).toBe(true);
    expect(r.findings).toEqual([
      {
        code: "zero-width-piece",
        severity: "warning",
        path: "spec.pcts[1]",
        message: "piece 1 has width 0: it never runs",
      },
    ]);
  });

  it("with totalSteps: phases shorter than one optimizer step, nested ones scaled by their parent", () => {
    const s = withWarmup(cyclical({ start: 1, peak: 2, up: 0.01 }), { pct: 0.005 });
    const r = lintSchedule(s, { totalSteps: 100 });
    expect(r.ok).toBe(true);
    expect(r.findings.map((f) => [f.code, f.path])).toEqual([
      ["shorter-than-step", "spec.pct"],
      ["shorter-than-step", "spec.sched.up"],
      ["shorter-than-step", "spec.sched.down"],
    ]);
    expect(r.findings[0]?.message).toBe(
      "the warmup (spec.pct) lasts 0.5 of the 100 optimizer steps: it is skipped or seen at one step only",
    );
    expect(lintSchedule(s, { totalSteps: 100_000 }).findings).toEqual([]);
  });

  it("foreign schedules: one that throws, one whose group count changes", () => {
    const throwing = Object.assign(
      (p: number) => {
        if (p > 0.5) throw new Error("boom");
        return p;
      },
      { toJSON: () => ({ type: "custom" }) },
    ) as Schedule;
    const r = lintSchedule(throwing, { samples: 11 });
    expect(r.findings).toEqual([
      { code: "throws", severity: "error", pos: 0.6, message: "the schedule throws at pos 0.6: boom" },
    ]);
    const shifting = Object.assign((p: number) => (p < 0.5 ? [1, 2] : [1, 2, 3]), {
      toJSON: () => ({ type: "custom" }),
    }) as unknown as Schedule;
    expect(lintSchedule(shifting, { samples: 3 }).findings[0]).toMatchObject({
      code: "group-count-changes",
      pos: 0.5,
      message: "the schedule gives 2 values at pos 0 but 3 values at pos 0.5",
    });
  });

  it("errors come before warnings", () => {
    const r = lintSchedule(combineScheds([0, 1], [SchedNo(1, 1), SchedLin(1, -1)]), { hyper: "lr" });
    expect(r.findings.map((f) => f.severity)).toEqual(["error", "warning"]);
  });
});
