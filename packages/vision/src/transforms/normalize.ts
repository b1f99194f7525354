/**
 * Raw RGB bytes → float32 model input: x / 255, then (x - mean[c]) / std[c] per channel, HWC order
 * kept (tfjs convolutions are NHWC). A 256-entry table per channel replaces the arithmetic.
 */
import type { RawImage } from "./decode.js";
import { TransformArgumentError } from "./errors.js";

/** Per-channel statistics, RGB order, on the [0, 1] scale. */
export interface ChannelStats {
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

/** ImageNet statistics used by every torchvision/fastai pretrained model. */
export const IMAGENET_STATS: ChannelStats = Object.freeze({
  mean: Object.freeze([0.485, 0.456, 0.406] as const),
  std: Object.freeze([0.229, 0.224, 0.225] as const),
});

const tables = new WeakMap<ChannelStats, Float32Array>();

function tableFor(stats: ChannelStats): Float32Array {
  let table = tables.get(stats);
  if (table === undefined) {
    table = new Float32Array(3 * 256);
    for (let c = 0; c < 3; c++) {
      const mean = stats.mean[c] as number;
      const std = stats.std[c] as number;
      if (!(std > 0) || !Number.isFinite(mean)) {
        throw new TransformArgumentError(
          `normalizeImage: stats must have finite means and positive stds, got ${JSON.stringify(stats)}`,
        );
      }
      for (let v = 0; v < 256; v++) table[c * 256 + v] = (v / 255 - mean) / std;
    }
    tables.set(stats, table);
  }
  return table;
}

/**
 * Writes the normalised pixels of `image` into `out` at `offset` (e.g. one slot of an NHWC batch
 * buffer) and returns `out`; allocates height × width × 3 floats when `out` is omitted.
 */
export function normalizeImage(
  image: RawImage,
  stats: ChannelStats = IMAGENET_STATS,
  out?: Float32Array,
  offset = 0,
): Float32Array {
  const n = image.width * image.height * 3;
  if (image.data.length !== n) {
    throw new TransformArgumentError(
      `normalizeImage: image.data has ${image.data.length} bytes, expected ${n}`,
    );
  }
  const target = out ?? new Float32Array(n);
  if (!Number.isInteger(offset) || offset < 0 || offset + n > target.length) {
    throw new TransformArgumentError(
      `normalizeImage: offset ${offset} + ${n} values does not fit in out (${target.length})`,
    );
  }
  const table = tableFor(stats);
  const data = image.data;
  for (let i = 0; i < n; i += 3) {
    target[offset + i] = table[data[i] as number] as number;
    target[offset + i + 1] = table[256 + (data[i + 1] as number)] as number;
    target[offset + i + 2] = table[512 + (data[i + 2] as number)] as number;
  }
  return target;
}
