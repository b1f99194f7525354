/**
 * scheduleFromJSON: rebuilds any schedule from the plain data its `toJSON()` gave. The spec's `type` is
 * the factory's name and its other fields are that factory's arguments, so the factories do the value
 * checks; here we check the structure (object, known type, no unknown or missing fields) and prefix
 * every error with where in the spec it happened.
 */
import {
  SchedCos,
  SchedCosPow,
  SchedExp,
  SchedInvSqrt,
  SchedInvTime,
  SchedLin,
  SchedNo,
  SchedPoly,
  SchedPolyDecay,
} from "./annealers.js";
import { combinedCos, combineScheds } from "./combine.js";
import { fmt, ScheduleError } from "./errors.js";
import { mulScheds, scaleSched } from "./families/arithmetic.js";
import { type CyclicalOptions, cyclical } from "./families/cyclical.js";
import { type PiecewiseInterpolateOptions, piecewiseInterpolate } from "./families/interpolate.js";
import { type OneCycleOptions, oneCycle } from "./families/onecycle.js";
import {
  type MultiStepOptions,
  multiStep,
  type PiecewiseConstantOptions,
  piecewiseConstant,
  type StepDecayOptions,
  staircase,
  stepDecay,
} from "./families/piecewise.js";
import { type CosineRestartsOptions, cosineRestarts } from "./families/restarts.js";
import { type WarmupStableDecayOptions, warmupStableDecay, withWarmup } from "./families/warmup.js";
import type { AtBoundary, Hyper, Schedule, ScheduleSpec } from "./types.js";

type Args = Record<string, unknown>;

interface Family {
  required: readonly string[];
  optional?: readonly string[];
  /** Fields holding one nested spec, or an array of them. */
  nested?: Readonly<Record<string, "one" | "many">>;
  build(a: Args): Schedule;
}

const annealer = (f: (s: Hyper, e: Hyper) => Schedule): Family => ({
  required: ["start", "end"],
  build: (a) => f(a.start as Hyper, a.end as Hyper),
});
const powered = (f: (s: Hyper, e: Hyper, k: number) => Schedule, extra: string): Family => ({
  required: ["start", "end", extra],
  build: (a) => f(a.start as Hyper, a.end as Hyper, a[extra] as number),
});

const families: Readonly<Record<string, Family>> = {
  SchedNo: annealer(SchedNo),
  SchedLin: annealer(SchedLin),
  SchedCos: annealer(SchedCos),
  SchedExp: annealer(SchedExp),
  SchedInvSqrt: annealer(SchedInvSqrt),
  SchedInvTime: annealer(SchedInvTime),
  SchedPoly: powered(SchedPoly, "power"),
  SchedPolyDecay: powered(SchedPolyDecay, "power"),
  SchedCosPow: powered(SchedCosPow, "exponent"),
  combineScheds: {
    required: ["pcts", "scheds"],
    nested: { scheds: "many" },
    build: (a) => combineScheds(a.pcts as number[], a.scheds as Schedule[]),
  },
  combinedCos: {
    required: ["pct", "start", "middle", "end"],
    build: (a) => combinedCos(a.pct as number, a.start as Hyper, a.middle as Hyper, a.end as Hyper),
  },
  oneCycle: {
    required: ["start", "peak", "end"],
    optional: ["pctStart", "pctFinal", "anneal"],
    build: (a) => oneCycle(a as unknown as OneCycleOptions<Hyper, Hyper, Hyper>),
  },
  withWarmup: {
    required: ["sched", "pct"],
    optional: ["init", "shape"],
    nested: { sched: "one" },
    build: ({ sched, ...o }) => withWarmup(sched as Schedule, o as { pct: number }),
  },
  warmupStableDecay: {
    required: ["peak", "warmupPct", "decayPct"],
    optional: ["minRatio", "init", "warmup", "decay"],
    build: (a) => warmupStableDecay(a as unknown as WarmupStableDecayOptions),
  },
  cosineRestarts: {
    required: ["max"],
    optional: ["min", "cycles", "firstPct", "cycleMult", "decay"],
    build: (a) => cosineRestarts(a as unknown as CosineRestartsOptions<Hyper, Hyper>),
  },
  cyclical: {
    required: ["start", "peak", "up"],
    optional: ["down", "mode", "gammaPerUp"],
    build: (a) => cyclical(a as unknown as CyclicalOptions<Hyper, Hyper>),
  },
  piecewiseConstant: {
    required: ["boundaries", "values"],
    optional: ["atBoundary"],
    build: (a) => piecewiseConstant(a as unknown as PiecewiseConstantOptions),
  },
  multiStep: {
    required: ["base", "milestones"],
    optional: ["gamma", "atBoundary"],
    build: (a) => multiStep(a as unknown as MultiStepOptions),
  },
  stepDecay: {
    required: ["base", "every"],
    optional: ["gamma", "atBoundary"],
    build: (a) => stepDecay(a as unknown as StepDecayOptions),
  },
  staircase: {
    required: ["sched", "every"],
    optional: ["atBoundary"],
    nested: { sched: "one" },
    build: (a) => staircase(a.sched as Schedule, a.every as number, (a.atBoundary ?? "new") as AtBoundary),
  },
  piecewiseInterpolate: {
    required: ["knots"],
    optional: ["shape"],
    build: (a) => piecewiseInterpolate(a as unknown as PiecewiseInterpolateOptions),
  },
  scaleSched: {
    required: ["sched", "factor"],
    optional: ["offset"],
    nested: { sched: "one" },
    build: (a) => scaleSched(a.sched as Schedule, a.factor as Hyper, (a.offset ?? 0) as Hyper),
  },
  mulScheds: {
    required: ["scheds"],
    nested: { scheds: "many" },
    build: (a) => mulScheds(a.scheds as Schedule[]),
  },
};

/** The spec types scheduleFromJSON knows, i.e. every factory of @sched/core. */
export const scheduleTypes: readonly string[] = Object.freeze(Object.keys(families));

function specError(path: string, what: string, value?: unknown): never {
  throw new ScheduleError(`scheduleFromJSON: ${path} ${what}`, { argument: path, value });
}

function rebuild(spec: unknown, path: string): Schedule {
  if (typeof spec === "string") {
    specError(path, `must be a spec object, got a string (parse JSON text with JSON.parse first)`, spec);
  }
  if (typeof spec !== "object" || spec === null || Array.isArray(spec)) {
    specError(path, `must be a spec object like {"type": "SchedLin", ...}, got ${fmt(spec)}`, spec);
  }
  const { type, ...fields } = spec as Record<string, unknown>;
  if (typeof type !== "string")
    specError(`${path}.type`, `must be a string naming the schedule, got ${fmt(type)}`, type);
  const family = Object.hasOwn(families, type) ? families[type] : undefined;
  if (!family)
    specError(
      `${path}.type`,
      `is ${fmt(type)}, an unknown schedule type; known: ${scheduleTypes.join(", ")}`,
      type,
    );
  const allowed = [...family.required, ...(family.optional ?? [])];
  for (const key of Object.keys(fields)) {
    if (!allowed.includes(key)) {
      specError(`${path}.${key}`, `is not a field of ${type} (fields: ${allowed.join(", ")})`, fields[key]);
    }
  }
  for (const key of family.required) {
    if (fields[key] === undefined)
      specError(`${path}.${key}`, `is missing (${type} needs ${family.required.join(", ")})`);
  }
  const args: Args = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const nested = family.nested?.[key];
    if (nested === "one") args[key] = rebuild(value, `${path}.${key}`);
    else if (nested === "many") {
      if (!Array.isArray(value))
        specError(`${path}.${key}`, `must be an array of specs, got ${fmt(value)}`, value);
      args[key] = value.map((v, i) => rebuild(v, `${path}.${key}[${i}]`));
    } else args[key] = value;
  }
  try {
    return family.build(args);
  } catch (e) {
    if (!(e instanceof ScheduleError)) throw e;
    throw new ScheduleError(`scheduleFromJSON: ${path} (${type}): ${e.message}`, {
      argument: e.argument === undefined ? path : `${path}.${e.argument}`,
      value: e.value,
    });
  }
}

/** Rebuilds a schedule from `schedule.toJSON()` (or that data after a JSON round trip). */
export function scheduleFromJSON(spec: ScheduleSpec | unknown): Schedule {
  return rebuild(spec, "spec");
}
