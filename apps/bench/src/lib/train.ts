/** Seeded learners for the tasks and one training run: final validation loss and accuracy per epoch. */
import { accuracy, crossEntropyLoss, DataLoaders, Learner, mseLoss } from "@sched/learner";
import type { Task, TaskData } from "../tasks/index.js";

/** A learner whose weights and batch order depend on `seed` only; `dispose` frees it and its loaders. */
export function makeLearner(
  task: Task,
  data: TaskData,
  seed: number,
): { learn: Learner; dispose: () => void } {
  const dls = DataLoaders.fromTensors(data.train, data.valid, { bs: task.bs, seed });
  const classification = task.kind === "classification";
  const learn = new Learner(dls, task.model(seed), {
    lossFunc: classification ? crossEntropyLoss : mseLoss,
    metrics: classification ? [accuracy] : [],
  });
  return {
    learn,
    dispose: () => {
      learn.dispose();
      dls.dispose();
    },
  };
}

/** Runs `fn` on a fresh seeded learner (without the epoch table) and disposes it afterwards. */
export async function withLearner<T>(
  task: Task,
  data: TaskData,
  seed: number,
  fn: (learn: Learner) => Promise<T>,
): Promise<T> {
  const { learn, dispose } = makeLearner(task, data, seed);
  try {
    return await learn.noLogging(() => fn(learn));
  } finally {
    dispose();
  }
}

/** What one training left in the recorder, per finished epoch. */
export interface TrainResult {
  /** Validation loss after the last epoch (NaN if it diverged). */
  validLoss: number;
  /** Validation accuracy after the last epoch (classification only). */
  accuracy?: number;
  /** Per epoch: [train_loss, valid_loss, accuracy?]. */
  history: number[][];
  /** Optimizer steps taken. */
  steps: number;
}

/** Reads the recorder after a fit. */
export function trainResult(learn: Learner): TrainResult {
  const history = (learn.recorder?.values ?? []).map((r) => [...r]);
  const last = history[history.length - 1] ?? [];
  const validLoss = last[1] ?? Number.NaN;
  const result: TrainResult = {
    validLoss: Number.isFinite(validLoss) ? validLoss : Number.NaN,
    history,
    steps: learn.recorder?.lrs.length ?? 0,
  };
  if (last.length > 2) result.accuracy = last[2] as number;
  return result;
}

/** Trains a fresh seeded learner with `fit` (e.g. a policy) and returns the recorder's figures. */
export function train(
  task: Task,
  data: TaskData,
  seed: number,
  fit: (learn: Learner) => Promise<unknown>,
): Promise<TrainResult> {
  return withLearner(task, data, seed, async (learn) => {
    await fit(learn);
    return trainResult(learn);
  });
}
