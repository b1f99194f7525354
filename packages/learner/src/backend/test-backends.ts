// Test support for the backend tests (excluded from the build by its test- prefix).
import * as tf from "@tensorflow/tfjs";
import { expect } from "vitest";
import { initBackend } from "../backend.js";
import type { BackendName } from "./loaders.js";

/**
 * The backend whose numbers are compared with `cpu`: `tensorflow` when it loads, else `wasm`.
 * With SCHED_REQUIRE_NATIVE=1 (set by .ci/run) a missing native backend is a failure instead,
 * so CI cannot pass by quietly comparing wasm with cpu.
 */
export async function paritySubject(): Promise<Exclude<BackendName, "cpu">> {
  try {
    await initBackend("tensorflow");
    return "tensorflow";
  } catch (err) {
    if (process.env.SCHED_REQUIRE_NATIVE === "1") {
      throw new Error(
        `SCHED_REQUIRE_NATIVE=1 but the native backend is unavailable: ${(err as Error).message}`,
      );
    }
    return "wasm";
  }
}

/** Runs `fn` on `backend` inside tf.tidy and returns its tensors' values as plain arrays. */
export async function valuesOn(backend: BackendName, fn: () => tf.Tensor[]): Promise<number[][]> {
  await initBackend(backend);
  const before = tf.memory().numTensors;
  let values: number[][] = [];
  tf.tidy(() => {
    values = fn().map((t) => Array.from(t.dataSync()));
  });
  expect(tf.memory().numTensors, `tensors leaked on ${backend}`).toBe(before);
  return values;
}

/** Deterministic uniform numbers in [-1, 1) (a 32-bit LCG), identical on every backend. */
export function seeded(seed: number): (n: number) => number[] {
  let s = seed >>> 0;
  return (n) =>
    Array.from({ length: n }, () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 31 - 1;
    });
}

/** Asserts |a - b| <= atol + rtol * |b| elementwise, reporting the worst element. */
export function expectClose(
  actual: readonly number[],
  expected: readonly number[],
  tol: { rtol: number; atol: number },
  what: string,
): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const b = expected[i] as number;
    const excess = Math.abs(a - b) - (tol.atol + tol.rtol * Math.abs(b));
    if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    expect.fail(
      `${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} ` +
        `(atol ${tol.atol}, rtol ${tol.rtol})`,
    );
  }
}

/** The largest |a - b| / (atol + rtol·|b|): how much of the tolerance a comparison used. */
export function toleranceUsed(
  actual: readonly number[],
  expected: readonly number[],
  tol: { rtol: number; atol: number },
): number {
  let used = 0;
  for (let i = 0; i < expected.length; i++) {
    const b = expected[i] as number;
    used = Math.max(used, Math.abs((actual[i] as number) - b) / (tol.atol + tol.rtol * Math.abs(b)));
  }
  return used;
}
