import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BackendError, BackendUnavailableError, initBackend, UnknownBackendError } from "../backend.js";

const ENV = "SCHED_TF_BACKEND";
let saved: string | undefined;
beforeEach(() => {
  saved = process.env[ENV];
  delete process.env[ENV];
});
afterEach(() => {
  if (saved === undefined) delete process.env[ENV];
  else process.env[ENV] = saved;
});

/** Whether tfjs-node loads here, asked directly rather than through initBackend. */
async function nativeLoads(): Promise<boolean> {
  try {
    await import(/* @vite-ignore */ ["@tensorflow", "tfjs-node"].join("/"));
    return true;
  } catch {
    return false;
  }
}

/** A matMul on the active backend, so a test sees the backend compute, not just its name. */
function product(): number[] {
  return tf.tidy(() => Array.from(tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]])).dataSync()));
}

describe("initBackend's first activation of each backend", () => {
  // First in the file: later tests would find the backends already loaded.
  it("creates no tensors, for cpu, wasm and (when it loads) tensorflow", async () => {
    for (const name of ["cpu", "wasm", "tensorflow"]) {
      const before = tf.memory().numTensors;
      await initBackend(name).catch((e: unknown) => {
        if (name !== "tensorflow") throw e;
      });
      expect(tf.memory().numTensors, `after the first initBackend("${name}")`).toBe(before);
    }
  });
});

describe("initBackend in auto mode", () => {
  it("picks tensorflow when tfjs-node loads and wasm otherwise, and makes it active", async () => {
    const before = tf.memory().numTensors;
    const name = await initBackend();
    if (process.env.SCHED_REQUIRE_NATIVE === "1") expect(name).toBe("tensorflow");
    // Asked after the choice: importing tfjs-node switches the active backend itself.
    const native = await nativeLoads();
    expect(name).toBe(native ? "tensorflow" : "wasm");
    await initBackend();
    expect(tf.getBackend()).toBe(name);
    expect(product()).toEqual([11]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("treats 'auto', '' and surrounding blanks as the default order", async () => {
    const expected = await initBackend();
    await initBackend("cpu");
    expect(await initBackend("auto")).toBe(expected);
    await initBackend("cpu");
    expect(await initBackend(" ")).toBe(expected);
    expect(tf.getBackend()).toBe(expected);
  });

  it("returns the same answer when called repeatedly, without creating tensors", async () => {
    const first = await initBackend();
    const before = tf.memory().numTensors;
    const names = [];
    for (let i = 0; i < 50; i++) names.push(await initBackend());
    expect(new Set(names)).toEqual(new Set([first]));
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe("initBackend with a forced backend", () => {
  for (const name of ["cpu", "wasm"] as const) {
    it(`prefer = "${name}" activates ${name}, which computes`, async () => {
      expect(await initBackend(name)).toBe(name);
      expect(tf.getBackend()).toBe(name);
      expect(product()).toEqual([11]);
    });
  }

  it("ignores case and surrounding blanks in the name", async () => {
    expect(await initBackend(" CPU ")).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
  });

  it("honours SCHED_TF_BACKEND when no argument is given, and an argument overrides it", async () => {
    process.env[ENV] = "cpu";
    expect(await initBackend()).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
    expect(await initBackend("wasm")).toBe("wasm");
    expect(tf.getBackend()).toBe("wasm");
  });

  it("prefer = 'tensorflow' loads the native backend or says why it cannot, naming it", async () => {
    const native = await nativeLoads();
    await initBackend("cpu");
    if (native) {
      expect(await initBackend("tensorflow")).toBe("tensorflow");
      expect(tf.getBackend()).toBe("tensorflow");
      expect(product()).toEqual([11]);
      return;
    }
    expect(process.env.SCHED_REQUIRE_NATIVE, "SCHED_REQUIRE_NATIVE=1 but tfjs-node does not load").not.toBe(
      "1",
    );
    const err = await initBackend("tensorflow").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as BackendUnavailableError).backend).toBe("tensorflow");
    expect((err as Error).message).toMatch(
      /^backend "tensorflow" \(prefer\) could not be initialised: .*tfjs_binding/,
    );
    expect(tf.getBackend()).toBe("cpu");
  });
});

describe("initBackend with a bad name", () => {
  it("rejects an unknown prefer with UnknownBackendError naming the argument and the value", async () => {
    await initBackend("cpu");
    const err = await initBackend("webgl").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownBackendError);
    expect(err).toBeInstanceOf(BackendError);
    expect((err as Error).name).toBe("UnknownBackendError");
    expect((err as Error).message).toBe(
      'prefer = "webgl" is not a backend; expected one of tensorflow, wasm, cpu or auto',
    );
    expect(tf.getBackend()).toBe("cpu");
  });

  it("rejects an unknown SCHED_TF_BACKEND naming the variable, even when auto would work", async () => {
    process.env[ENV] = "gpu";
    const err = await initBackend().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownBackendError);
    expect((err as UnknownBackendError).source).toBe("SCHED_TF_BACKEND");
    expect((err as Error).message).toBe(
      'SCHED_TF_BACKEND = "gpu" is not a backend; expected one of tensorflow, wasm, cpu or auto',
    );
  });
});
