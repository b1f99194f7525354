// A forced backend that really fails to load: the wasm backend pointed at a folder without its
// .wasm binaries. In its own file, because it leaves wasm unusable for the rest of the process.
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { beforeAll, describe, expect, it } from "vitest";
import { BackendUnavailableError, initBackend } from "../backend.js";

describe("a forced backend that cannot load", () => {
  beforeAll(() => {
    setWasmPaths("/nonexistent-wasm-dir/");
  });

  it("rejects with BackendUnavailableError naming the backend, the request and the cause", async () => {
    await initBackend("cpu");
    const before = tf.memory().numTensors;
    const err = await initBackend("wasm").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    const e = err as BackendUnavailableError;
    expect(e.name).toBe("BackendUnavailableError");
    expect(e.backend).toBe("wasm");
    expect(e.source).toBe("prefer");
    expect(e.message).toMatch(/^backend "wasm" \(prefer\) could not be initialised: /);
    expect(e.message).toContain("/nonexistent-wasm-dir/tfjs-backend-wasm");
    expect(e.message).not.toContain("\n");
    expect(e.cause).toBeInstanceOf(Error);
    // Nothing half-applied: the backend that was active stays active and usable.
    expect(tf.getBackend()).toBe("cpu");
    expect(tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0])).toBe(3);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("names SCHED_TF_BACKEND when the variable asked for it, and fails the same way again", async () => {
    const saved = process.env.SCHED_TF_BACKEND;
    process.env.SCHED_TF_BACKEND = "wasm";
    try {
      for (let i = 0; i < 2; i++) {
        await expect(initBackend()).rejects.toThrow(
          /^backend "wasm" \(SCHED_TF_BACKEND\) could not be initialised: .*nonexistent-wasm-dir/,
        );
      }
    } finally {
      if (saved === undefined) delete process.env.SCHED_TF_BACKEND;
      else process.env.SCHED_TF_BACKEND = saved;
    }
  });

  it("auto mode skips it: tensorflow if tfjs-node loads, else cpu, never the broken wasm", async () => {
    const saved = process.env.SCHED_TF_BACKEND;
    delete process.env.SCHED_TF_BACKEND;
    try {
      const name = await initBackend();
      expect(["tensorflow", "cpu"]).toContain(name);
      if (process.env.SCHED_REQUIRE_NATIVE === "1") expect(name).toBe("tensorflow");
      expect(tf.getBackend()).toBe(name);
    } finally {
      if (saved !== undefined) process.env.SCHED_TF_BACKEND = saved;
    }
  });
});
