/** The benchmark tasks, in report order. */
import { mnist } from "./mnist.js";
import { optdigits } from "./optdigits.js";
import { shakespeare } from "./shakespeare.js";
import { breastCancer, diabetes, wine } from "./tabular.js";
import type { Task } from "./task.js";

export type { Task, TaskData } from "./task.js";

export const TASKS: readonly Task[] = [optdigits, mnist, breastCancer, wine, diabetes, shakespeare];

/** A task by name; throws listing the names otherwise. */
export function taskByName(name: string): Task {
  const t = TASKS.find((x) => x.name === name);
  if (!t) throw new Error(`bench: unknown task ${name}; known: ${TASKS.map((x) => x.name).join(", ")}`);
  return t;
}
