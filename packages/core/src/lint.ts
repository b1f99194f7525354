/**
 * lintSchedule: finds what users get wrong with a schedule before training does. Two cheap passes:
 * the spec's structure (warmups covering everything, empty pieces, phases shorter than one optimizer
 * step) and the values at evenly spaced positions (non-finite, negative, momentum outside [0, 1),
 * a changing number of parameter groups, positions where the schedule throws).
 */
import { count, options, positive } from "./check.js";
import { ScheduleError } from "./errors.js";
import { scheduleFromJSON } from "./serialize.js";
import type { Schedule, ScheduleSpec } from "./types.js";

/** What a finding is about. */
export type LintCode =
  | "invalid-spec"
  | "throws"
  | "non-finite"
  | "negative"
  | "momentum-range"
  | "group-count-changes"
  | "warmup-covers-schedule"
  | "zero-width-piece"
  | "shorter-than-step";

/** One problem found. `pos`, `group` and `value` locate the first sample showing it. */
export interface LintFinding {
  code: LintCode;
  severity: "error" | "warning";
  message: string;
  /** Where in the spec (e.g. `spec.scheds[1]`), for structural findings. */
  path?: string;
  pos?: number;
  group?: number;
  value?: number;
  /** How many samples show it. */
  count?: number;
}

/** The findings, errors first; `ok` is false when any finding is an error. */
export interface LintReport {
  ok: boolean;
  findings: LintFinding[];
}

/** Options of lintSchedule. */
export interface LintOptions {
  /** The hyper-parameter it schedules: momentum-like names (mom, beta1, sqrMom…) must stay in [0, 1). */
  hyper?: string | undefined;
  /** Evenly spaced positions to check, both ends included (default 1001). */
  samples?: number | undefined;
  /** Optimizer steps the schedule will run over: enables the "shorter than one step" checks. */
  totalSteps?: number | undefined;
}

const MOMENTUM = /^(mom|moms|momentum|sqrmom|sqr_mom|beta|beta1|beta2|beta_1|beta_2|b1|b2)$/i;

type Spec = Record<string, unknown>;
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const pct100 = (x: number) => `${+(x * 100).toPrecision(4)}%`;

function walkSpec(
  spec: unknown,
  path: string,
  span: number,
  steps: number | undefined,
  out: LintFinding[],
): void {
  if (typeof spec !== "object" || spec === null) return;
  const s = spec as Spec;
  const short = (width: number | undefined, what: string, at: string) => {
    if (steps === undefined || width === undefined || width <= 0) return;
    const n = width * span * steps;
    if (n < 1) {
      out.push({
        code: "shorter-than-step",
        severity: "warning",
        path: at,
        message: `${what} lasts ${+n.toPrecision(3)} of the ${steps} optimizer steps: it is skipped or seen at one step only`,
      });
    }
  };
  const warmup = (v: unknown, key: string) => {
    const w = num(v);
    if (w !== undefined && w >= 1) {
      out.push({
        code: "warmup-covers-schedule",
        severity: "error",
        path: `${path}.${key}`,
        message: `the warmup (${key} = ${w}) takes ${pct100(w)} of the schedule: nothing after it ever runs`,
      });
    }
    short(w, `the warmup (${path}.${key})`, `${path}.${key}`);
  };
  switch (s.type) {
    case "combineScheds": {
      const pcts = Array.isArray(s.pcts) ? s.pcts : [];
      const scheds = Array.isArray(s.scheds) ? s.scheds : [];
      pcts.forEach((p, i) => {
        const w = num(p);
        if (w === 0) {
          out.push({
            code: "zero-width-piece",
            severity: "warning",
            path: `${path}.pcts[${i}]`,
            message: `piece ${i} has width 0: it never runs`,
          });
        }
        short(w, `piece ${i} (${path}.scheds[${i}])`, `${path}.pcts[${i}]`);
        walkSpec(scheds[i], `${path}.scheds[${i}]`, span * (w ?? 0), steps, out);
      });
      break;
    }
    case "combinedCos":
      warmup(s.pct, "pct");
      break;
    case "oneCycle":
      warmup(s.pctStart ?? 0.25, "pctStart");
      break;
    case "withWarmup":
      warmup(s.pct, "pct");
      walkSpec(s.sched, `${path}.sched`, span * (1 - (num(s.pct) ?? 0)), steps, out);
      break;
    case "warmupStableDecay": {
      warmup(s.warmupPct, "warmupPct");
      const w = num(s.warmupPct);
      const d = num(s.decayPct);
      if (w !== undefined && d !== undefined && w < 1 && w + d > 1 + 1e-9) {
        out.push({
          code: "warmup-covers-schedule",
          severity: "error",
          path: `${path}.decayPct`,
          message: `warmup and decay take ${pct100(w + d)} of the schedule (warmupPct ${w} + decayPct ${d})`,
        });
      }
      short(d, `the decay (${path}.decayPct)`, `${path}.decayPct`);
      break;
    }
    case "cosineRestarts": {
      const cycles = num(s.cycles);
      const first = num(s.firstPct) ?? (cycles ? firstCycle(cycles, num(s.cycleMult) ?? 1) : undefined);
      short(first, "the first cycle", `${path}.${s.firstPct === undefined ? "cycles" : "firstPct"}`);
      break;
    }
    case "cyclical":
      short(num(s.up), "the rising half-cycle", `${path}.up`);
      short(num(s.down), "the falling half-cycle", `${path}.down`);
      break;
    case "stepDecay":
      short(num(s.every), "one step of the staircase", `${path}.every`);
      break;
    case "staircase":
      short(num(s.every), "one step of the staircase", `${path}.every`);
      walkSpec(s.sched, `${path}.sched`, span, steps, out);
      break;
    case "scaleSched":
      walkSpec(s.sched, `${path}.sched`, span, steps, out);
      break;
    case "mulScheds":
      if (Array.isArray(s.scheds)) {
        s.scheds.forEach((c, i) => {
          walkSpec(c, `${path}.scheds[${i}]`, span, steps, out);
        });
      }
      break;
  }
}

function firstCycle(cycles: number, mult: number): number {
  return mult === 1 ? 1 / cycles : (mult - 1) / (mult ** cycles - 1);
}

interface Tally {
  code: LintCode;
  group: number | undefined;
  pos: number;
  value: number;
  count: number;
}

function scanValues(s: Schedule, n: number, name: string, momentum: boolean, out: LintFinding[]): void {
  const tallies = new Map<string, Tally>();
  const note = (code: LintCode, group: number | undefined, pos: number, value: number) => {
    const key = `${code}:${group}`;
    const t = tallies.get(key);
    if (t) t.count++;
    else tallies.set(key, { code, group, pos, value, count: 1 });
  };
  let groups: number | undefined;
  for (let i = 0; i < n; i++) {
    const pos = n === 1 ? 0 : i / (n - 1);
    let v: unknown;
    try {
      v = s(pos);
    } catch (e) {
      out.push({
        code: "throws",
        severity: "error",
        pos,
        message: `the schedule throws at pos ${pos}: ${e instanceof Error ? e.message : String(e)}`,
      });
      break;
    }
    const values = typeof v === "number" ? [v] : Array.isArray(v) ? (v as unknown[]) : [v];
    const g = typeof v === "number" ? 0 : values.length;
    if (groups === undefined) groups = g;
    else if (g !== groups) {
      out.push({
        code: "group-count-changes",
        severity: "error",
        pos,
        message: `the schedule gives ${groups === 0 ? "a number" : `${groups} values`} at pos 0 but ${g === 0 ? "a number" : `${g} values`} at pos ${pos}`,
      });
      break;
    }
    values.forEach((x, j) => {
      const group = typeof v === "number" ? undefined : j;
      if (typeof x !== "number" || !Number.isFinite(x)) note("non-finite", group, pos, x as number);
      else if (momentum && (x < 0 || x >= 1)) note("momentum-range", group, pos, x);
      else if (!momentum && x < 0) note("negative", group, pos, x);
    });
  }
  const what: Record<string, string> = {
    "non-finite": "is not a finite number",
    negative: "is negative",
    "momentum-range": "is outside [0, 1) (a momentum of 1 or more diverges)",
  };
  for (const t of tallies.values()) {
    const who = t.group === undefined ? name : `${name} of parameter group ${t.group}`;
    out.push({
      code: t.code,
      severity: "error",
      message: `${who} ${what[t.code]} at ${t.count} of ${n} sampled positions (first at pos ${t.pos}: ${t.value})`,
      pos: t.pos,
      value: t.value,
      count: t.count,
      ...(t.group === undefined ? {} : { group: t.group }),
    });
  }
}

/** Checks a schedule (or a spec, before building it) and returns structured findings. */
export function lintSchedule(schedule: Schedule | ScheduleSpec, opts?: LintOptions): LintReport {
  const where = "lintSchedule";
  const o = options(where, opts);
  const n = count(where, "samples", o.samples ?? 1001);
  const steps = o.totalSteps === undefined ? undefined : positive(where, "totalSteps", o.totalSteps);
  const findings: LintFinding[] = [];
  let s: Schedule | undefined;
  let spec: unknown;
  if (typeof schedule === "function") {
    s = schedule;
    try {
      spec = schedule.toJSON();
    } catch {
      spec = undefined;
    }
  } else {
    spec = schedule;
  }
  walkSpec(spec, "spec", 1, steps, findings);
  if (s === undefined) {
    try {
      s = scheduleFromJSON(spec);
    } catch (e) {
      if (!(e instanceof ScheduleError)) throw e;
      findings.push({
        code: "invalid-spec",
        severity: "error",
        message: e.message,
        path: e.argument ?? "spec",
      });
    }
  }
  if (s) scanValues(s, n, o.hyper ?? "the value", MOMENTUM.test(o.hyper ?? ""), findings);
  findings.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === "error" ? -1 : 1));
  return { ok: !findings.some((f) => f.severity === "error"), findings };
}
