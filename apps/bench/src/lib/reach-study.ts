/**
 * Epochs to reach a target validation accuracy, per policy. A policy's schedule depends on its total
 * number of epochs, so for each N of an increasing list every policy is run for a total of N epochs
 * (at each LR of a small sweep, for each seed), and its epochs-to-reach is the smallest N whose
 * final-epoch validation accuracy, averaged over the seeds, reaches the target at some LR of the sweep.
 * The same rule applies to every policy; larger N are not run once a policy has reached the target.
 */
import type { Learner } from "@sched/learner";
import type { Task, TaskData } from "../tasks/index.js";
import type { Policy } from "./policies.js";
import { mean } from "./stats.js";
import { makeLearner, train, trainResult } from "./train.js";

export interface ReachConfig {
  /** Total epochs tried, increasing. */
  nList: readonly number[];
  /** The LR sweep (the peak LR for scheduled policies). */
  lrs: readonly number[];
  seeds: readonly number[];
  /** Validation accuracy to reach (final epoch of an N-epoch run, mean over seeds). */
  target: number;
}

/** One (N, lr) cell: the final validation accuracy per seed and its mean. */
export interface ReachCell {
  n: number;
  lr: number;
  accs: number[];
  mean: number;
}

export interface PolicyReach {
  policy: string;
  cells: ReachCell[];
  /** Smallest N that reached the target, or null if none in the list did. */
  reached: number | null;
  /** The best cell at `reached` (or at the largest N tried). */
  best: ReachCell;
  /** Epochs trained by this policy in the study (all LRs and seeds). */
  epochsTrained: number;
  seconds: number;
}

const bestOf = (cells: ReachCell[]): ReachCell =>
  cells.reduce((a, b) => (Number.isFinite(b.mean) && !(a.mean >= b.mean) ? b : a));

/** Accuracy after the last epoch of what the learner's recorder holds. */
const lastAccuracy = (r: { accuracy?: number }) => r.accuracy ?? Number.NaN;

/** Runs one policy through `cfg.nList` until it reaches the target. */
export async function policyReach(
  task: Task,
  data: TaskData,
  policy: Policy,
  cfg: ReachConfig,
  log = console.log,
): Promise<PolicyReach> {
  const t0 = performance.now();
  const cells: ReachCell[] = [];
  let epochsTrained = 0;
  let reached: number | null = null;
  // Extendable (constant) policies keep one learner per (lr, seed) and add epochs as N grows.
  const live = policy.extendable
    ? cfg.lrs.map((lr) => cfg.seeds.map((seed) => ({ lr, ...makeLearner(task, data, seed) })))
    : [];
  try {
    let prev = 0;
    for (const n of cfg.nList) {
      const row: ReachCell[] = [];
      for (const [i, lr] of cfg.lrs.entries()) {
        const accs: number[] = [];
        for (const [j, seed] of cfg.seeds.entries()) {
          if (policy.extendable) {
            const learn = (live[i] as { learn: Learner }[])[j]?.learn as Learner;
            await learn.noLogging(() => policy.fit(learn, n - prev, lr));
            epochsTrained += n - prev;
            accs.push(lastAccuracy(trainResult(learn)));
          } else {
            accs.push(lastAccuracy(await train(task, data, seed, (l) => policy.fit(l, n, lr))));
            epochsTrained += n;
          }
        }
        row.push({ n, lr, accs, mean: mean(accs) });
      }
      cells.push(...row);
      prev = n;
      const best = bestOf(row);
      log(
        `  ${task.name} ${policy.name} N=${n}: best acc ${best.mean.toFixed(4)} at lr ${best.lr.toExponential(1)}`,
      );
      if (best.mean >= cfg.target) {
        reached = n;
        break;
      }
    }
  } finally {
    for (const l of live.flat()) l.dispose();
  }
  const lastN = cells[cells.length - 1]?.n;
  const best = bestOf(cells.filter((c) => c.n === lastN));
  return {
    policy: policy.name,
    cells,
    reached,
    best,
    epochsTrained,
    seconds: (performance.now() - t0) / 1000,
  };
}
