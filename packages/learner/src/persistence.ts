/**
 * Checkpoints: a JSON manifest (`<name>.json`) plus one binary file of little-endian tensor data
 * (`<name>.bin`) under `path/modelDir`. Plain `node:fs`, no tfjs-node file handlers. Both files are
 * written to temporary names and renamed into place; the manifest carries the data's length and
 * SHA-256, so a torn pair is detected on load. The format is documented in the package README.
 */

import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { endianness } from "node:os";
import { dirname, join, resolve } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { CheckpointError } from "./exceptions.js";
import type { Learner } from "./learner.js";
import type { Optimizer, OptimizerStateDict, ParamState } from "./optim/types.js";

/** Options of `save`. */
export interface SaveOptions {
  /** Also write the optimizer's state and hypers (default true). */
  withOpt?: boolean;
}
/** Options of `load`. */
export interface LoadOptions {
  /** Also restore the optimizer's state and hypers when the file has them (default true). */
  withOpt?: boolean;
}

/** The manifest's format name and version. */
export const CHECKPOINT_FORMAT = "@sched/learner checkpoint";
export const CHECKPOINT_VERSION = 1;

type DType = "float32" | "int32" | "bool";
/** Where one tensor's bytes are in the data file. */
export interface TensorEntry {
  dtype: DType;
  shape: number[];
  offset: number;
  byteLength: number;
}
/** A model variable: trained (`param`) or not (`buffer`, e.g. batch-norm moving statistics). */
export interface WeightEntry extends TensorEntry {
  name: string;
  role: "param" | "buffer";
}
/** A number as JSON can hold it: non-finite values and -0 as strings ("NaN", "Infinity", "-Infinity", "-0"). */
export type JsonNumber = number | string;
/** The manifest (`<name>.json`). */
export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  dataFile: string;
  byteLength: number;
  sha256: string;
  weights: WeightEntry[];
  optimizer: null | {
    hypers: Record<string, JsonNumber>[];
    state: Record<string, TensorEntry | JsonNumber>[];
  };
}

const BYTES: Record<DType, number> = { float32: 4, int32: 4, bool: 1 };
const LITTLE = endianness() === "LE";

function encodeNumber(v: number): JsonNumber {
  return Object.is(v, -0) || !Number.isFinite(v) ? (Object.is(v, -0) ? "-0" : String(v)) : v;
}
function decodeNumber(v: unknown, where: string): number {
  if (typeof v === "number") return v;
  if (v === "-0") return -0;
  if (v === "NaN" || v === "Infinity" || v === "-Infinity") return Number(v);
  throw new CheckpointError(`${where}: expected a number, got ${JSON.stringify(v)}`);
}

/** Little-endian bytes of a typed array (a byte swap on big-endian hosts). */
function leBytes(data: tf.TypedArray, bytesPer: number): Uint8Array {
  const bytes = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  if (!LITTLE && bytesPer > 1)
    for (let i = 0; i < bytes.length; i += bytesPer) bytes.subarray(i, i + bytesPer).reverse();
  return bytes;
}

function checkpointFiles(learn: Learner, name: string): { manifest: string; data: string; dataFile: string } {
  if (typeof name !== "string" || name === "" || name.endsWith("/")) {
    throw new CheckpointError(`checkpoint name must be a non-empty file name, got ${JSON.stringify(name)}`);
  }
  const base = resolve(learn.path, learn.modelDir, name);
  return { manifest: `${base}.json`, data: `${base}.bin`, dataFile: `${base.split(/[\\/]/).pop()}.bin` };
}

/** The model's variables in checkpoint order: trained ones, then buffers. */
function modelVariables(learn: Learner): { v: tf.Variable; role: "param" | "buffer" }[] {
  return [
    ...learn.module.variables.map((v) => ({ v, role: "param" as const })),
    ...(learn.module.buffers ?? []).map((v) => ({ v, role: "buffer" as const })),
  ];
}

/** Writes the checkpoint synchronously (usable from an event handler); returns the manifest path. */
export function saveCheckpointSync(learn: Learner, name: string, opts: SaveOptions = {}): string {
  const files = checkpointFiles(learn, name);
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const put = (t: tf.Tensor): TensorEntry => {
    const dtype = t.dtype as DType;
    if (!(dtype in BYTES)) throw new CheckpointError(`save: cannot store a ${t.dtype} tensor`);
    const bytes = leBytes(t.dataSync() as tf.TypedArray, BYTES[dtype]);
    const entry = { dtype, shape: [...t.shape], offset, byteLength: bytes.byteLength };
    chunks.push(bytes);
    offset += bytes.byteLength;
    return entry;
  };
  const weights = modelVariables(learn).map(({ v, role }) => ({ name: v.name, role, ...put(v) }));
  let optimizer: CheckpointManifest["optimizer"] = null;
  if ((opts.withOpt ?? true) && learn.opt) {
    const sd = learn.opt.stateDict();
    try {
      optimizer = {
        hypers: sd.hypers.map((h) =>
          Object.fromEntries(Object.entries(h).map(([k, v]) => [k, encodeNumber(v)])),
        ),
        state: sd.state.map((s) =>
          Object.fromEntries(
            Object.entries(s).map(([k, v]) => [k, typeof v === "number" ? encodeNumber(v) : put(v)]),
          ),
        ),
      };
    } finally {
      disposeStateDict(sd);
    }
  }
  const data = Buffer.concat(chunks);
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    dataFile: files.dataFile,
    byteLength: data.byteLength,
    sha256: createHash("sha256").update(data).digest("hex"),
    weights,
    optimizer,
  };
  mkdirSync(dirname(files.manifest), { recursive: true });
  const tag = `.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  const [tmpData, tmpManifest] = [files.data + tag, files.manifest + tag];
  try {
    writeFileSync(tmpData, data);
    writeFileSync(tmpManifest, `${JSON.stringify(manifest, null, 1)}\n`);
    renameSync(tmpData, files.data);
    renameSync(tmpManifest, files.manifest);
  } finally {
    rmSync(tmpData, { force: true });
    rmSync(tmpManifest, { force: true });
  }
  return files.manifest;
}

function disposeStateDict(sd: OptimizerStateDict): void {
  for (const s of sd.state) for (const v of Object.values(s)) if (typeof v !== "number") v.dispose();
}

function readManifest(path: string): CheckpointManifest {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new CheckpointError(`load: cannot read checkpoint manifest ${path}: ${(e as Error).message}`);
  }
  let m: CheckpointManifest;
  try {
    m = JSON.parse(text) as CheckpointManifest;
  } catch (e) {
    throw new CheckpointError(`load: ${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (m?.format !== CHECKPOINT_FORMAT || m.version !== CHECKPOINT_VERSION) {
    throw new CheckpointError(
      `load: ${path} is not a ${CHECKPOINT_FORMAT} v${CHECKPOINT_VERSION} (format ${JSON.stringify(m?.format)}, version ${JSON.stringify(m?.version)})`,
    );
  }
  if (!Array.isArray(m.weights)) throw new CheckpointError(`load: ${path} has no weights list`);
  return m;
}

/** Builds (but does not assign) a tensor from its entry, after checking it against `data`. */
function readTensor(data: Buffer, e: TensorEntry, where: string): tf.Tensor {
  const ok =
    e !== null &&
    typeof e === "object" &&
    e.dtype in BYTES &&
    Array.isArray(e.shape) &&
    e.shape.every((d) => Number.isInteger(d) && d >= 0) &&
    Number.isInteger(e.offset) &&
    e.offset >= 0 &&
    e.byteLength === e.shape.reduce((a, b) => a * b, 1) * BYTES[e.dtype] &&
    e.offset + e.byteLength <= data.byteLength;
  if (!ok) throw new CheckpointError(`load: ${where} has a malformed entry ${JSON.stringify(e)}`);
  const bytes = new Uint8Array(
    data.buffer.slice(data.byteOffset + e.offset, data.byteOffset + e.offset + e.byteLength),
  );
  if (!LITTLE && BYTES[e.dtype] > 1) {
    for (let i = 0; i < bytes.length; i += BYTES[e.dtype]) bytes.subarray(i, i + BYTES[e.dtype]).reverse();
  }
  const values =
    e.dtype === "float32"
      ? new Float32Array(bytes.buffer)
      : e.dtype === "int32"
        ? new Int32Array(bytes.buffer)
        : bytes;
  return tf.tensor(values, e.shape, e.dtype);
}

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Restores a checkpoint synchronously. Everything is read and checked first (manifest, data length and
 * hash, weight count/shape/dtype, optimizer groups/params/state) and only then assigned, so a
 * mismatch throws a CheckpointError and changes nothing.
 */
export function loadCheckpointSync(learn: Learner, name: string, opts: LoadOptions = {}): void {
  const files = checkpointFiles(learn, name);
  const m = readManifest(files.manifest);
  const dataPath = join(dirname(files.manifest), String(m.dataFile));
  let data: Buffer;
  try {
    data = readFileSync(dataPath);
  } catch (e) {
    throw new CheckpointError(`load: cannot read checkpoint data ${dataPath}: ${(e as Error).message}`);
  }
  if (data.byteLength !== m.byteLength || createHash("sha256").update(data).digest("hex") !== m.sha256) {
    throw new CheckpointError(
      `load: ${dataPath} does not match its manifest (${data.byteLength} bytes, expected ${m.byteLength}; or a different SHA-256): torn or foreign file`,
    );
  }
  const targets = modelVariables(learn);
  const created: tf.Tensor[] = [];
  const read = (e: TensorEntry, where: string): tf.Tensor => {
    const t = readTensor(data, e, where);
    created.push(t);
    return t;
  };
  let fresh: Optimizer | undefined;
  let sd: OptimizerStateDict | undefined;
  try {
    const count = (role: string, xs: { role: string }[]) => xs.filter((x) => x.role === role).length;
    for (const role of ["param", "buffer"]) {
      if (count(role, m.weights) !== count(role, targets)) {
        throw new CheckpointError(
          `load: ${files.manifest} has ${count(role, m.weights)} ${role} tensors, the model has ${count(role, targets)}`,
        );
      }
    }
    const values = targets.map(({ v }, i) => {
      const e = m.weights[i] as WeightEntry;
      const where = `weight ${i} (${e?.name} → ${v.name})`;
      if (e?.role !== targets[i]?.role || e.dtype !== v.dtype || !sameShape(e.shape ?? [], v.shape)) {
        throw new CheckpointError(
          `load: ${where}: file has ${e?.role} ${e?.dtype} [${e?.shape}], the model ${targets[i]?.role} ${v.dtype} [${v.shape}]`,
        );
      }
      return read(e, where);
    });
    if ((opts.withOpt ?? true) && m.optimizer) {
      const o = m.optimizer;
      if (!Array.isArray(o.hypers) || !Array.isArray(o.state)) {
        throw new CheckpointError(`load: ${files.manifest} has a malformed optimizer section`);
      }
      sd = {
        hypers: o.hypers.map((h, g) =>
          Object.fromEntries(Object.entries(h).map(([k, v]) => [k, decodeNumber(v, `hypers[${g}].${k}`)])),
        ),
        state: o.state.map((s, i) =>
          Object.fromEntries(
            Object.entries(s).map(([k, v]): [string, tf.Tensor | number] =>
              v !== null && typeof v === "object"
                ? [k, read(v, `optimizer state[${i}].${k}`)]
                : [k, decodeNumber(v, `state[${i}].${k}`)],
            ),
          ),
        ) as ParamState[],
      };
      if (!learn.opt) fresh = learn.makeOpt();
      const opt = learn.opt ?? (fresh as Optimizer);
      try {
        opt.loadStateDict(sd); // checks everything before changing anything
      } catch (e) {
        throw new CheckpointError(
          `load: ${files.manifest}: the optimizer state does not fit: ${(e as Error).message}`,
        );
      }
    }
    // Nothing below can fail: shapes and dtypes were checked.
    targets.forEach(({ v }, i) => {
      v.assign(values[i] as tf.Tensor);
    });
    if (fresh) {
      learn.opt = fresh;
      fresh = undefined;
    }
  } finally {
    fresh?.dispose();
    for (const t of created) t.dispose();
  }
}

/** `saveCheckpointSync` as a promise. */
export async function saveCheckpoint(learn: Learner, name: string, opts: SaveOptions = {}): Promise<string> {
  return saveCheckpointSync(learn, name, opts);
}

/** `loadCheckpointSync` as a promise. */
export async function loadCheckpoint(learn: Learner, name: string, opts: LoadOptions = {}): Promise<void> {
  loadCheckpointSync(learn, name, opts);
}
