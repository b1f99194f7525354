/**
 * Pretrained weights on disk or behind a URL: a JSON manifest in tfjs's `weightsManifest` layout
 * (groups of binary shards, each listing `{ name, shape, dtype }` in byte order) plus the shards.
 * Names are the model's keys (torchvision's `state_dict` names); values are in tfjs layout
 * (conv [kh, kw, in, out], linear [in, out]). See the package README, "Pretrained weights".
 */
import { createHash, randomBytes } from "node:crypto";
import { readFile, rename, rm, writeFile } from "node:fs/promises";
import { endianness } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import * as tf from "@tensorflow/tfjs";

/** The manifest's `format` value. */
export const WEIGHTS_FORMAT = "@sched/vision weights";
/** The manifest's `version` value. */
export const WEIGHTS_VERSION = 1;

/** One tensor of a shard group, in byte order. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: "float32" | "int32";
}

/** The JSON manifest (`<name>.json`). */
export interface WeightsManifest {
  format: typeof WEIGHTS_FORMAT;
  version: number;
  /** The architecture the weights are for (e.g. "resnet18"); checked against the model when both are known. */
  arch?: string;
  /** tfjs's layout: each group's shards concatenated hold its weights one after the other. */
  weightsManifest: Array<{ paths: string[]; weights: WeightSpec[] }>;
  /** SHA-256 (hex) per shard path; checked when present. */
  sha256?: Record<string, string>;
}

/** Something whose weights can be saved and loaded by key. */
export interface HasWeights {
  /** Every variable (trained ones and buffers) with its key. */
  entries(): Array<[string, tf.Variable]>;
  /** The architecture name, if any. */
  readonly arch?: string;
}

/** Weights that could not be read, verified or matched to the model; names the file or URL. */
export class WeightsError extends Error {
  override name = "WeightsError";
  constructor(
    /** The manifest (or shard) path or URL. */
    readonly source: string,
    detail: string,
    options?: { cause: unknown },
  ) {
    super(`weights ${source}: ${detail}`, options);
  }
}

/** Options of {@link loadWeights}. */
export interface LoadWeightsOptions {
  /** Give up on an HTTP request after this long; default 60 000 ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** What {@link loadWeights} did: keys assigned, and keys of the file the model does not have. */
export interface LoadWeightsResult {
  loaded: string[];
  ignored: string[];
}

const BYTES = 4;

function toUrl(source: string | URL): URL {
  if (source instanceof URL) return source;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) return new URL(source);
  return pathToFileURL(resolve(source));
}

function show(url: URL): string {
  return url.protocol === "file:" ? fileURLToPath(url) : url.href;
}

async function fetchBytes(url: URL, opts: LoadWeightsOptions): Promise<Uint8Array> {
  if (url.protocol === "file:") {
    try {
      return await readFile(fileURLToPath(url));
    } catch (e) {
      throw new WeightsError(show(url), `cannot read: ${(e as Error).message}`, { cause: e });
    }
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new WeightsError(
      show(url),
      `unsupported protocol ${url.protocol} (use a path, file:, http: or https:)`,
    );
  }
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 60_000);
  const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetch(url, { signal });
  } catch (e) {
    throw new WeightsError(show(url), `request failed: ${(e as Error).message}`, { cause: e });
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new WeightsError(show(url), `HTTP ${res.status} ${res.statusText}`);
  }
  try {
    return new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    throw new WeightsError(show(url), `download failed: ${(e as Error).message}`, { cause: e });
  }
}

function parseManifest(bytes: Uint8Array, where: string): WeightsManifest {
  let m: WeightsManifest;
  try {
    m = JSON.parse(new TextDecoder().decode(bytes)) as WeightsManifest;
  } catch (e) {
    throw new WeightsError(where, `not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (m?.format !== WEIGHTS_FORMAT || m.version !== WEIGHTS_VERSION) {
    throw new WeightsError(
      where,
      `not a ${WEIGHTS_FORMAT} v${WEIGHTS_VERSION} manifest (format ${JSON.stringify(m?.format)}, version ${JSON.stringify(m?.version)})`,
    );
  }
  const groups = m.weightsManifest;
  const okSpec = (w: WeightSpec) =>
    typeof w?.name === "string" &&
    (w.dtype === "float32" || w.dtype === "int32") &&
    Array.isArray(w.shape) &&
    w.shape.every((d) => Number.isInteger(d) && d >= 0);
  if (
    !Array.isArray(groups) ||
    !groups.every(
      (g) =>
        Array.isArray(g?.paths) &&
        g.paths.every((p) => typeof p === "string") &&
        Array.isArray(g.weights) &&
        g.weights.every(okSpec),
    )
  ) {
    throw new WeightsError(
      where,
      "malformed weightsManifest (groups of { paths, weights: [{ name, shape, dtype }] })",
    );
  }
  return m;
}

/** Every tensor of the file as (name → values), checked against the shards' lengths and hashes. */
async function readAll(
  url: URL,
  opts: LoadWeightsOptions,
): Promise<{
  manifest: WeightsManifest;
  values: Map<string, { spec: WeightSpec; data: Float32Array | Int32Array }>;
}> {
  const manifest = parseManifest(await fetchBytes(url, opts), show(url));
  const values = new Map<string, { spec: WeightSpec; data: Float32Array | Int32Array }>();
  for (const group of manifest.weightsManifest) {
    const shards = await Promise.all(
      group.paths.map(async (p) => {
        const shardUrl = new URL(p, url);
        const bytes = await fetchBytes(shardUrl, opts);
        const expected = manifest.sha256?.[p];
        if (expected !== undefined && createHash("sha256").update(bytes).digest("hex") !== expected) {
          throw new WeightsError(
            show(shardUrl),
            "SHA-256 does not match the manifest: corrupt or foreign file",
          );
        }
        return bytes;
      }),
    );
    const total = shards.reduce((a, s) => a + s.byteLength, 0);
    const need = group.weights.reduce((a, w) => a + w.shape.reduce((x, y) => x * y, 1) * BYTES, 0);
    if (total !== need) {
      throw new WeightsError(
        show(url),
        `shards ${group.paths.join(", ")} hold ${total} bytes, the manifest lists ${need}`,
      );
    }
    const joined = new Uint8Array(total);
    let at = 0;
    for (const s of shards) {
      joined.set(s, at);
      at += s.byteLength;
    }
    // Little-endian on disk, as tfjs writes. Every value is 4 bytes, so every offset is aligned.
    let offset = 0;
    for (const spec of group.weights) {
      const n = spec.shape.reduce((x, y) => x * y, 1);
      const data = readValues(joined, offset, n, spec.dtype);
      offset += n * BYTES;
      values.set(spec.name, { spec, data });
    }
  }
  return { manifest, values };
}

const LITTLE_ENDIAN = endianness() === "LE";

function readValues(
  bytes: Uint8Array,
  offset: number,
  n: number,
  dtype: WeightSpec["dtype"],
): Float32Array | Int32Array {
  if (LITTLE_ENDIAN) {
    const copy = bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + n * BYTES);
    return dtype === "float32" ? new Float32Array(copy) : new Int32Array(copy);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, n * BYTES);
  const out = dtype === "float32" ? new Float32Array(n) : new Int32Array(n);
  for (let i = 0; i < n; i++)
    out[i] = dtype === "float32" ? view.getFloat32(i * 4, true) : view.getInt32(i * 4, true);
  return out;
}

function littleEndianBytes(data: Float32Array | Int32Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  if (!LITTLE_ENDIAN) for (let i = 0; i < bytes.length; i += 4) bytes.subarray(i, i + 4).reverse();
  return bytes;
}

const sameShape = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Loads weights into `model` by key, from a local path, a `file:` URL or an http(s) URL of the
 * manifest (shards are resolved relative to it). Every key of the model must be in the file with
 * the same shape and dtype; keys the model lacks (e.g. `fc.*` when loading a body) are ignored.
 * Everything is read and checked before anything is assigned: on error the model is unchanged.
 */
export async function loadWeights(
  model: HasWeights,
  source: string | URL,
  opts: LoadWeightsOptions = {},
): Promise<LoadWeightsResult> {
  const url = toUrl(source);
  const where = show(url);
  const { manifest, values } = await readAll(url, opts);
  if (manifest.arch !== undefined && model.arch !== undefined && manifest.arch !== model.arch) {
    throw new WeightsError(where, `weights are for ${manifest.arch}, the model is ${model.arch}`);
  }
  const targets = model.entries();
  const missing = targets.filter(([k]) => !values.has(k)).map(([k]) => k);
  if (missing.length) {
    const list =
      missing.slice(0, 5).join(", ") + (missing.length > 5 ? `, … (${missing.length} in all)` : "");
    throw new WeightsError(where, `missing ${list}`);
  }
  for (const [k, v] of targets) {
    const { spec } = values.get(k) as { spec: WeightSpec };
    if (spec.dtype !== v.dtype || !sameShape(spec.shape, v.shape)) {
      throw new WeightsError(
        where,
        `${k} is ${spec.dtype} [${spec.shape}] in the file, ${v.dtype} [${v.shape}] in the model`,
      );
    }
  }
  for (const [k, v] of targets) {
    const { spec, data } = values.get(k) as { spec: WeightSpec; data: Float32Array | Int32Array };
    tf.tidy(() => v.assign(tf.tensor(data, spec.shape, spec.dtype)));
  }
  const known = new Set(targets.map(([k]) => k));
  return { loaded: targets.map(([k]) => k), ignored: [...values.keys()].filter((k) => !known.has(k)) };
}

/**
 * Writes `model`'s weights as `<file>` (the manifest, e.g. `resnet18.json`) and one shard beside it
 * (`resnet18.bin`), each to a temporary name first, then renamed. Returns the manifest's path.
 */
export async function saveWeights(model: HasWeights, file: string): Promise<string> {
  const manifestPath = resolve(file);
  const stem = basename(manifestPath).replace(/\.json$/i, "");
  const shardName = `${stem}.bin`;
  const specs: WeightSpec[] = [];
  const chunks: Uint8Array[] = [];
  for (const [name, v] of model.entries()) {
    if (v.dtype !== "float32" && v.dtype !== "int32")
      throw new WeightsError(file, `cannot store ${name}: ${v.dtype}`);
    const data = v.dataSync() as Float32Array | Int32Array;
    chunks.push(littleEndianBytes(data));
    specs.push({ name, shape: [...v.shape], dtype: v.dtype });
  }
  const shard = Buffer.concat(chunks);
  const manifest: WeightsManifest = {
    format: WEIGHTS_FORMAT,
    version: WEIGHTS_VERSION,
    ...(model.arch !== undefined ? { arch: model.arch } : {}),
    weightsManifest: [{ paths: [shardName], weights: specs }],
    sha256: { [shardName]: createHash("sha256").update(shard).digest("hex") },
  };
  const shardPath = join(dirname(manifestPath), shardName);
  const tag = `.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await writeFile(shardPath + tag, shard);
    await writeFile(manifestPath + tag, `${JSON.stringify(manifest, null, 1)}\n`);
    await rename(shardPath + tag, shardPath);
    await rename(manifestPath + tag, manifestPath);
  } finally {
    await rm(shardPath + tag, { force: true });
    await rm(manifestPath + tag, { force: true });
  }
  return manifestPath;
}
