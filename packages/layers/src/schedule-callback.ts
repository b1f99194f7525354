/**
 * scheduleCallback: a tfjs callback that sets the compiled optimizer's hyper-parameters before every
 * batch from schedules of training progress, for users of `model.fit` / `model.fitDataset`.
 */
import type { Hyper, Schedule } from "@sched/core";
import * as tf from "@tensorflow/tfjs";
import { LayersError } from "./errors.js";
import { bindHypers, type HyperSetter } from "./hypers.js";
import { KNOWN_HYPERS, optimizerSpec } from "./optimizers.js";

/** A hyper-parameter's schedule: a `Schedule` of @sched/core, any pure `(pos) => value`, or a constant. */
export type HyperSchedule = Schedule | ((pos: number) => Hyper) | number;

/** Schedules keyed by hyper-parameter name (`lr`, `mom`, `beta1`, `beta2`, `eps`, `rho`, ...). */
export type HyperSchedules = Readonly<Record<string, HyperSchedule>>;

/** Options of `scheduleCallback`. */
export interface ScheduleCallbackOptions {
  /**
   * Optimizer steps the schedules span (step k reads pos k/totalSteps; past the end the end value
   * holds). Default: inferred from what model.fit passes, `epochs × steps per epoch`.
   */
  totalSteps?: number | undefined;
  /** Keep every value set in `hps` (default true), e.g. for `plotSched(callback)`. */
  record?: boolean | undefined;
}

type Model = Parameters<tf.CustomCallback["setModel"]>[0];

// Every batch awaits each callback's handlers: hand back one settled promise instead of making one.
const DONE: Promise<void> = Promise.resolve();

// Positions checked before training: every step up to this many, a grid of this many beyond.
const CHECKED_POSITIONS = 100_000;

const WHERE = "scheduleCallback";

function toFunction(name: string, value: HyperSchedule): (pos: number) => Hyper {
  if (typeof value === "function") return value;
  if (typeof value === "number" && Number.isFinite(value)) return () => value;
  throw new LayersError(
    `${WHERE}: schedules.${name} must be a Schedule, a function of pos or a finite number; got ${String(value)}`,
  );
}

function badValue(name: string, value: unknown, pos: number): LayersError {
  if (Array.isArray(value)) {
    return new LayersError(
      `${WHERE}: schedules.${name} returned an array at pos ${pos} ([${value.join(", ")}]); tfjs optimizers ` +
        "have no parameter groups, so a schedule must return one number",
    );
  }
  return new LayersError(
    `${WHERE}: schedules.${name} returned ${String(value)} at pos ${pos}; expected a finite number`,
  );
}

function positiveInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0;
}

/**
 * Sets optimizer hyper-parameters from schedules before every training batch. pos = step /
 * totalSteps; in model.fit, the step of batch b of epoch e is `e × stepsPerEpoch + b`, so a fit that
 * resumes at `initialEpoch` resumes the schedule too.
 */
export class ScheduleCallback<K extends string = string> extends tf.CustomCallback {
  /** Values set before each batch, per hyper name (emptied when training begins). */
  readonly hps: Record<K, number[]>;
  /** Steps the schedules span: the option, or what the last fit implied. */
  totalSteps: number | undefined;
  private readonly names: K[];
  private readonly fns: Array<(pos: number) => Hyper>;
  private readonly explicitTotal: number | undefined;
  private readonly record: boolean;
  private layersModel: tf.LayersModel | undefined;
  private setters: HyperSetter[] = [];
  private stepsPerEpoch: number | undefined;
  private step = 0;
  private total = 1;

  constructor(schedules: { readonly [P in K]: HyperSchedule }, options: ScheduleCallbackOptions = {}) {
    super({}, "never");
    if (schedules === null || typeof schedules !== "object" || Array.isArray(schedules)) {
      throw new LayersError(
        `${WHERE}: schedules must be an object { [hyper]: schedule }; got ${String(schedules)}`,
      );
    }
    this.names = Object.keys(schedules) as K[];
    if (this.names.length === 0)
      throw new LayersError(`${WHERE}: schedules is empty; give at least one, e.g. { lr }`);
    for (const name of this.names) {
      if (!KNOWN_HYPERS.has(name)) {
        throw new LayersError(
          `${WHERE}: unknown hyper-parameter "${name}"; known: ${[...KNOWN_HYPERS].join(", ")}`,
        );
      }
    }
    this.fns = this.names.map((name) => toFunction(name, schedules[name]));
    this.hps = Object.fromEntries(this.names.map((name) => [name, []])) as unknown as Record<K, number[]>;
    const { totalSteps, record = true } = options ?? {};
    if (totalSteps !== undefined && !positiveInteger(totalSteps)) {
      throw new LayersError(
        `${WHERE}: options.totalSteps must be a positive integer; got ${String(totalSteps)}`,
      );
    }
    this.explicitTotal = totalSteps;
    this.totalSteps = totalSteps;
    this.record = record;
  }

  override setModel(model: Model): void {
    this.layersModel = model as unknown as tf.LayersModel;
  }

  /** Resolves the step count, checks every schedule value and binds the optimizer's fields. */
  override async onTrainBegin(): Promise<void> {
    const model = this.layersModel;
    if (!model)
      throw new LayersError(`${WHERE}: no model; pass the callback to model.fit or model.fitDataset`);
    const [optimizer, spec] = optimizerSpec(model, WHERE);
    const params = (this.params ?? {}) as Record<string, unknown>;
    const { epochs, steps, samples, batchSize, initialEpoch } = params;
    let perEpoch: number | undefined;
    if (positiveInteger(steps)) perEpoch = steps;
    else if (positiveInteger(samples) && positiveInteger(batchSize))
      perEpoch = Math.ceil(samples / batchSize);
    const total = this.explicitTotal ?? (positiveInteger(epochs) && perEpoch ? epochs * perEpoch : undefined);
    if (total === undefined) {
      throw new LayersError(
        `${WHERE}: cannot infer totalSteps: the fit gave epochs=${String(epochs)} and steps per epoch=` +
          `${String(perEpoch)} (a dataset of unknown size without batchesPerEpoch?); pass ` +
          "scheduleCallback(schedules, { totalSteps })",
      );
    }
    this.checkValues(total);
    const setters = bindHypers(optimizer, spec, this.names, WHERE);
    this.setters = setters;
    this.total = total;
    this.totalSteps = total;
    this.stepsPerEpoch = perEpoch;
    this.step = perEpoch && typeof initialEpoch === "number" ? initialEpoch * perEpoch : 0;
    for (const name of this.names) this.hps[name].length = 0;
  }

  /** Schedules are pure functions of pos: check them at every step now, so no batch fails later. */
  private checkValues(total: number): void {
    const n = Math.min(total, CHECKED_POSITIONS);
    this.fns.forEach((f, i) => {
      for (let k = 0; k <= n; k++) {
        const pos = k === n ? 1 : total <= CHECKED_POSITIONS ? k / total : k / n;
        const v = f(pos);
        if (typeof v !== "number" || !Number.isFinite(v)) throw badValue(this.names[i] as string, v, pos);
      }
    });
  }

  override onEpochBegin(epoch: number): Promise<void> {
    // Re-align on epoch boundaries: an epoch cut short (a dataset that ran out) does not shift the rest.
    if (this.stepsPerEpoch !== undefined) this.step = epoch * this.stepsPerEpoch;
    return DONE;
  }

  override onBatchBegin(_batch?: number): Promise<void> {
    const pos = this.step >= this.total ? 1 : this.step / this.total;
    const { fns, setters, names } = this;
    for (let i = 0; i < fns.length; i++) {
      const v = (fns[i] as (pos: number) => Hyper)(pos);
      if (typeof v !== "number" || !Number.isFinite(v)) throw badValue(names[i] as string, v, pos);
      (setters[i] as HyperSetter).set(v);
      if (this.record) this.hps[names[i] as K].push(v);
    }
    this.step++;
    return DONE;
  }

  override onBatchEnd(_batch?: number): Promise<void> {
    return DONE;
  }

  override onEpochEnd(_epoch?: number): Promise<void> {
    return DONE;
  }

  override onTrainEnd(): Promise<void> {
    return DONE;
  }
}

/**
 * A tfjs callback for `model.fit` / `model.fitDataset` that sets the compiled optimizer's
 * hyper-parameters before every batch: `lr` on every optimizer, `mom` (momentum or beta1),
 * `beta1`, `beta2`, `eps`, `rho`, ... where the optimizer has them. Errors name the hyper and the
 * optimizer class before the first batch.
 */
export function scheduleCallback<K extends string>(
  schedules: { readonly [P in K]: HyperSchedule },
  options?: ScheduleCallbackOptions,
): ScheduleCallback<K> {
  return new ScheduleCallback(schedules, options);
}
