/**
 * ParamScheduler: sets any hyper-parameter from a schedule of training progress before every training
 * batch, and records what each batch trained with. The reference's callback, plus the per-group list
 * form its docs promise (one schedule per parameter group) and checks that fail before any batch runs.
 */

import type { Hyper } from "@sched/core";
import { type Callback, type Learner, type Optimizer, spreadHyper } from "@sched/learner";
import { ParamSchedulerError, show } from "./errors.js";

/** A schedule as ParamScheduler calls it: `pos ∈ [0, 1] → value` (any `@sched/core` Schedule fits). */
export type HyperSchedule = (pos: number) => Hyper;

/**
 * What one hyper-parameter follows: one schedule (whose value is a number, or one number per group),
 * or a list with one scalar schedule per parameter group.
 */
export type ScheduleValue = HyperSchedule | readonly HyperSchedule[];

/** Schedules by hyper-parameter name (`lr`, `mom`, `sqrMom`, `wd`, `eps`, …). */
export type Scheds = Readonly<Record<string, ScheduleValue>>;

/** Options of `new ParamScheduler(scheds, opts)`. */
export interface ParamSchedulerOptions {
  /** Put the recorded values on `learn.recorder.hps` (default true); false keeps them on `this.hps` only. */
  toRecorder?: boolean;
}

interface Entry {
  readonly name: string;
  readonly one: HyperSchedule | undefined;
  readonly list: readonly HyperSchedule[] | undefined;
  /** Reused for the list form's per-group values: no array per batch. */
  readonly buf: number[];
  out: number[];
}

/** The hps record shared by every ParamScheduler of the fit a learner is running. */
const liveHps = new WeakMap<Learner, Record<string, number[]>>();

function isScheduleList(v: unknown): v is readonly HyperSchedule[] {
  return Array.isArray(v);
}

function checkScheds(scheds: unknown): Entry[] {
  if (scheds === null || typeof scheds !== "object" || Array.isArray(scheds)) {
    throw new ParamSchedulerError(
      `ParamScheduler: scheds must be an object of schedules by hyper name, got ${show(scheds)}`,
    );
  }
  const entries = Object.entries(scheds as Record<string, unknown>);
  if (entries.length === 0) {
    throw new ParamSchedulerError(
      "ParamScheduler: scheds is empty; give at least one hyper, e.g. { lr: ... }",
    );
  }
  return entries.map(([name, value]) => {
    if (typeof value === "function") {
      return { name, one: value as HyperSchedule, list: undefined, buf: [], out: [] };
    }
    if (isScheduleList(value) && value.length > 0 && value.every((f) => typeof f === "function")) {
      return { name, one: undefined, list: [...value], buf: new Array<number>(value.length), out: [] };
    }
    throw new ParamSchedulerError(
      `ParamScheduler: scheds.${name} must be a schedule or a non-empty list of schedules (one per group), got ${show(value)}`,
    );
  });
}

function unknownHyper(name: string, opt: Optimizer): ParamSchedulerError {
  const known = Object.keys(opt.hypers[0] ?? {});
  const camel = name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  const hint = camel !== name && known.includes(camel) ? ` (did you mean "${camel}"?)` : "";
  return new ParamSchedulerError(
    `ParamScheduler: unknown hyper-parameter ${show(name)}${hint}; this optimizer has [${known.join(", ")}]`,
  );
}

/**
 * Schedules hyper-parameters by name (order 60, training batches only): before each training batch it
 * sets every scheduled hyper to `schedule(learn.pctTrain)`, after it records the last parameter group's
 * value in `hps[name]` (also `learn.recorder.hps`, set at `before_fit`, so it is there even after a
 * cancelled or failed fit). Validation batches are never touched. Nothing is restored after the fit.
 */
export class ParamScheduler implements Callback {
  readonly name = "ParamScheduler";
  readonly order = 60;
  readonly runValid = false;
  /** The schedules, as given. */
  readonly scheds: Scheds;
  /** Per scheduled hyper, the last group's value of every training batch of the last fit. */
  hps: Record<string, number[]> = {};
  readonly #entries: Entry[];
  readonly #toRecorder: boolean;

  constructor(scheds: Scheds, opts: ParamSchedulerOptions = {}) {
    this.#entries = checkScheds(scheds);
    this.scheds = Object.freeze({ ...scheds });
    this.#toRecorder = opts.toRecorder ?? true;
  }

  /** Checks every schedule against the optimizer before any batch runs, then starts the records. */
  before_fit(learn: Learner): void {
    const opt = learn.opt;
    if (!opt) throw new ParamSchedulerError("ParamScheduler: the learner has no optimizer");
    for (const e of this.#entries) this.#check(e, opt, learn.pctTrain);

    let shared = this.#toRecorder ? liveHps.get(learn) : undefined;
    if (this.#toRecorder && !shared) {
      shared = {};
      liveHps.set(learn, shared);
      const rec = learn.recorder;
      if (rec) rec.hps = shared;
    }
    const clash = shared && this.#entries.find((e) => Object.hasOwn(shared, e.name));
    if (clash) {
      throw new ParamSchedulerError(
        `ParamScheduler: hyper ${show(clash.name)} is already scheduled by another ParamScheduler in this fit`,
      );
    }
    this.hps = {};
    for (const e of this.#entries) {
      e.out = [];
      this.hps[e.name] = e.out;
      if (shared) shared[e.name] = e.out;
    }
  }

  before_batch(learn: Learner): void {
    const opt = learn.opt as Optimizer;
    const pos = learn.pctTrain;
    const entries = this.#entries;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i] as Entry;
      if (e.one) {
        opt.setHyper(e.name, e.one(pos));
      } else {
        const list = e.list as readonly HyperSchedule[];
        for (let g = 0; g < list.length; g++) e.buf[g] = (list[g] as HyperSchedule)(pos) as number;
        opt.setHyper(e.name, e.buf);
      }
    }
  }

  after_batch(learn: Learner): void {
    const last = (learn.opt as Optimizer).hypers.at(-1);
    if (!last) return;
    const entries = this.#entries;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i] as Entry;
      e.out.push(last[e.name] as number);
    }
  }

  cleanup(learn: Learner): void {
    liveHps.delete(learn);
  }

  #check(e: Entry, opt: Optimizer, pos: number): void {
    if (!opt.hasHyper(e.name)) throw unknownHyper(e.name, opt);
    const nGroups = opt.hypers.length;
    const where = `ParamScheduler: scheds.${e.name}`;
    if (e.list) {
      if (e.list.length !== nGroups) {
        throw new ParamSchedulerError(
          `${where} is a list of ${e.list.length} schedules but the optimizer has ${nGroups} parameter group(s); give one schedule per group`,
        );
      }
      e.list.forEach((f, g) => {
        const v = f(pos);
        if (typeof v !== "number" || !Number.isFinite(v)) {
          throw new ParamSchedulerError(
            `${where}[${g}] gives ${show(v)} at pos ${pos}; in the per-group list form each schedule gives one finite number`,
          );
        }
      });
      return;
    }
    const v = (e.one as HyperSchedule)(pos);
    try {
      spreadHyper(e.name, v, nGroups);
    } catch (err) {
      throw new ParamSchedulerError(
        `${where} gives ${show(v)} at pos ${pos}, which cannot be set on ${nGroups} parameter group(s): ${(err as Error).message}`,
      );
    }
  }
}
