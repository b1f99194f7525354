/** toJSON / scheduleFromJSON: every family round-trips; bad specs are rejected naming where and why. */
import { describe, expect, it } from "vitest";
import {
  combineScheds,
  SchedLin,
  SchedNo,
  type Schedule,
  ScheduleError,
  scheduleFromJSON,
  scheduleTypes,
} from "./index.js";
import { range, thrown } from "./test-close.js";
import { oneOfEach } from "./test-fixtures.js";

const grid = range(101).map((i) => i / 100);

describe("toJSON / scheduleFromJSON round trip", () => {
  it("covers every known type", () => {
    expect(Object.keys(oneOfEach).sort()).toEqual([...scheduleTypes].sort());
  });

  for (const [type, s] of Object.entries(oneOfEach)) {
    it(`${type}: JSON text → scheduleFromJSON gives the same spec and identical values`, () => {
      const text = JSON.stringify(s);
      const spec = JSON.parse(text);
      expect(spec.type).toBe(type);
      const back = scheduleFromJSON(spec);
      expect(back.toJSON()).toEqual(s.toJSON());
      expect(JSON.stringify(back)).toBe(text);
      expect(grid.map((p) => back(p))).toEqual(grid.map((p) => s(p)));
    });
  }

  it("toJSON gives plain data: mutating it does not change the schedule", () => {
    const s = combineScheds([0.5, 0.5], [SchedLin([0, 1], 2), SchedNo(2, 2)]);
    const spec = s.toJSON() as unknown as { pcts: number[]; scheds: { start: number[] }[] };
    spec.pcts[0] = 0.9;
    (spec.scheds[0] as { start: number[] }).start[0] = 99;
    expect(s.toJSON()).toEqual({
      type: "combineScheds",
      pcts: [0.5, 0.5],
      scheds: [
        { type: "SchedLin", start: [0, 1], end: 2 },
        { type: "SchedNo", start: 2, end: 2 },
      ],
    });
  });

  it("hand-written specs may leave options at their defaults", () => {
    const s = scheduleFromJSON({ type: "oneCycle", start: 0.04, peak: 1, end: 1e-5 });
    expect(s.toJSON()).toEqual({
      type: "oneCycle",
      start: 0.04,
      peak: 1,
      end: 1e-5,
      pctStart: 0.25,
      anneal: "cos",
    });
    expect(s(0.25)).toBe(1);
  });

  it("a piece without toJSON still runs, but serializing the combination says which piece cannot", () => {
    const foreign = ((p: number) => p) as unknown as Schedule;
    const s = combineScheds([0.5, 0.5], [SchedNo(0, 0), foreign]);
    expect(s(0.75)).toBe(0.5);
    expect(() => JSON.stringify(s)).toThrow(
      "combineScheds: scheds[1] has no toJSON(), so this schedule cannot serialize",
    );
  });
});

describe("scheduleFromJSON rejects bad specs with a ScheduleError naming what is wrong", () => {
  const rejects = (spec: unknown, message: string | RegExp) => {
    expect(() => scheduleFromJSON(spec)).toThrow(ScheduleError);
    expect(() => scheduleFromJSON(spec)).toThrow(message);
  };

  it("an unknown type, listing the known ones", () => {
    rejects(
      { type: "SchedLinear", start: 0, end: 1 },
      /spec\.type is "SchedLinear", an unknown schedule type; known: SchedNo, SchedLin/,
    );
  });

  it("a missing or non-string type", () => {
    rejects(
      { start: 0, end: 1 },
      "scheduleFromJSON: spec.type must be a string naming the schedule, got undefined",
    );
    rejects({ type: 3 }, "scheduleFromJSON: spec.type must be a string naming the schedule, got 3");
  });

  it("an unknown field (a typo), naming the allowed fields", () => {
    rejects(
      { type: "SchedLin", strat: 0, end: 1 },
      "scheduleFromJSON: spec.strat is not a field of SchedLin (fields: start, end)",
    );
  });

  it("a missing field", () => {
    rejects(
      { type: "SchedPoly", start: 0, end: 1 },
      "scheduleFromJSON: spec.power is missing (SchedPoly needs start, end, power)",
    );
  });

  it("a bad value deep inside, with its path", () => {
    rejects(
      {
        type: "combineScheds",
        pcts: [0.5, 0.5],
        scheds: [
          { type: "SchedNo", start: 1, end: 1 },
          { type: "SchedExp", start: 0, end: 1 },
        ],
      },
      "scheduleFromJSON: spec.scheds[1] (SchedExp): SchedExp: start must be > 0, got 0",
    );
    const e = thrown(() =>
      scheduleFromJSON({ type: "withWarmup", pct: 0.1, sched: { type: "SchedLin", start: "a", end: 1 } }),
    );
    expect(e).toBeInstanceOf(ScheduleError);
    expect(e.argument).toBe("spec.sched.start");
    expect(e.value).toBe("a");
  });

  it("a structural problem of a combinator (pcts not summing to 1)", () => {
    rejects(
      {
        type: "combineScheds",
        pcts: [0.5, 0.6],
        scheds: [
          { type: "SchedNo", start: 1, end: 1 },
          { type: "SchedNo", start: 1, end: 1 },
        ],
      },
      /spec \(combineScheds\): combineScheds: pcts must sum to 1 \(within 1e-9\), got sum 1\.1/,
    );
  });

  it("non-objects, with a hint for JSON text", () => {
    rejects(
      '{"type":"SchedLin","start":0,"end":1}',
      "spec must be a spec object, got a string (parse JSON text with JSON.parse first)",
    );
    rejects(null, 'spec must be a spec object like {"type": "SchedLin", ...}, got null');
    rejects([1, 2], "got [1, 2]");
    rejects(
      { type: "mulScheds", scheds: { type: "SchedNo" } },
      'spec.scheds must be an array of specs, got {"type":"SchedNo"}',
    );
  });

  it("inherited property names are not types", () => {
    rejects({ type: "toString" }, /unknown schedule type/);
  });
});
