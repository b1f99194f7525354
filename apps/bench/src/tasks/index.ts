/** The benchmark tasks, in report order. */
import { digits, iris } from "./heldout.js";
import { mnist } from "./mnist.js";
import { optdigits } from "./optdigits.js";
import { shakespeare } from "./shakespeare.js";
import { breastCancer, diabetes, wine } from "./tabular.js";
import type { Task } from "./task.js";

export type { Task, TaskData } from "./task.js";

/** The main regret study's six tasks (the ones `halfway` was designed on). */
export const TASKS: readonly Task[] = [optdigits, mnist, breastCancer, wine, diabetes, shakespeare];

/** Tasks kept out of that design, for checking the suggestions on data they were not chosen on. */
export const HELDOUT_TASKS: readonly Task[] = [iris, digits];

/** A task by name from either list; throws listing the names otherwise. */
export function taskByName(name: string): Task {
  const all = [...TASKS, ...HELDOUT_TASKS];
  const t = all.find((x) => x.name === name);
  if (!t) throw new Error(`bench: unknown task ${name}; known: ${all.map((x) => x.name).join(", ")}`);
  return t;
}
