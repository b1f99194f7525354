/**
 * In-memory snapshot of a model's weights and its optimizer's whole state, restored bit-exactly.
 *
 * Why not `optimizer.getWeights()/setWeights()`: in tfjs 4.22 they return the live variables (not
 * copies), `setWeights` makes new variables without freeing the old ones, Adam's `setWeights`
 * recomputes `accBeta = beta^(iterations+1)` (wrong once beta was scheduled), Adamax implements
 * neither, and none of them covers the hyper-parameters or SGD/Momentum's kept scalars. So the
 * snapshot copies the fields listed in optimizers.ts and writes values back into the same objects.
 * Copies are `tf.clone`s (same bytes); restoring assigns them, so nothing is recomputed.
 */
import * as tf from "@tensorflow/tfjs";
import type { OptimizerFields, OptimizerSpec } from "./optimizers.js";

/** A restorable copy of a model and its optimizer; `dispose` frees the copy. */
export interface Snapshot {
  /** Puts weights, optimizer state and hypers back (may be called several times). */
  restore(): void;
  dispose(): void;
}

interface SlotEntry {
  originalName: string;
  variable: tf.Variable;
}

interface SavedSlots {
  field: string;
  entries: Array<SlotEntry | undefined>;
  values: Array<tf.Tensor | undefined>;
}

// Numeric fields worth saving when present: every hyper-parameter and the step counter.
const NUMBER_FIELDS = [
  "learningRate",
  "momentum",
  "beta1",
  "beta2",
  "epsilon",
  "decay",
  "rho",
  "iterations_",
];

function modelVariables(model: tf.LayersModel): tf.Variable[] {
  const seen = new Set<tf.Variable>();
  for (const w of model.weights) seen.add(w.read() as tf.Variable);
  return [...seen];
}

/** Copies the model's weights (trainable and not) and the optimizer's state, hypers and counters. */
export function takeSnapshot(model: tf.LayersModel, opt: OptimizerFields, spec: OptimizerSpec): Snapshot {
  const weights = modelVariables(model);
  const numbers = [...NUMBER_FIELDS.filter((f) => f in opt), "iterations_"].map((f) => [f, opt[f]] as const);
  const keptOriginal = spec.kept.map((f) => opt[f] as tf.Tensor | undefined);
  const variables = spec.variables.map((f) => opt[f] as tf.Variable);
  const slotArrays = spec.slots.map((field) => ({
    field,
    entries: [...((opt[field] as Array<SlotEntry | undefined> | undefined) ?? [])],
  }));
  // tf.clone allocates only its result: no tidy needed (and the copies must outlive this call).
  const copy = (t: tf.Tensor | undefined) => (t && !t.isDisposed ? tf.clone(t) : undefined);
  const weightValues = weights.map((v) => tf.clone(v));
  const keptValues = keptOriginal.map(copy);
  const variableValues = variables.map((v) => tf.clone(v));
  const slots = slotArrays.map(({ field, entries }) => ({
    field,
    entries,
    values: entries.map((e) => copy(e?.variable)),
  }));
  const savedSlots: SavedSlots[] = slots;

  function restoreSlots(s: SavedSlots): void {
    const saved = new Set(s.entries);
    const current = (opt[s.field] as Array<SlotEntry | undefined> | undefined) ?? [];
    // State created during the run (e.g. the first step of a fresh optimizer) goes away.
    for (const e of current) if (e && !saved.has(e) && !e.variable.isDisposed) e.variable.dispose();
    s.entries.forEach((e, i) => {
      const value = s.values[i];
      if (!e || !value) return;
      if (e.variable.isDisposed) e.variable = tf.variable(value, false);
      else e.variable.assign(value);
    });
    opt[s.field] = [...s.entries];
  }

  return {
    restore() {
      weights.forEach((v, i) => {
        v.assign(weightValues[i] as tf.Tensor);
      });
      for (const [f, value] of numbers) opt[f] = value;
      spec.kept.forEach((f, i) => {
        const value = keptValues[i];
        const current = opt[f] as tf.Tensor | undefined;
        if (!value || current === keptOriginal[i]) return;
        // The schedule replaced the kept scalar (and freed the original): install a copy of ours.
        opt[f] = tf.keep(tf.clone(value));
        current?.dispose();
      });
      variables.forEach((v, i) => {
        v.assign(variableValues[i] as tf.Tensor);
      });
      for (const s of savedSlots) restoreSlots(s);
    },
    dispose() {
      tf.dispose([...weightValues, ...variableValues]);
      for (const t of keptValues) t?.dispose();
      for (const s of savedSlots) for (const t of s.values) t?.dispose();
    },
  };
}
