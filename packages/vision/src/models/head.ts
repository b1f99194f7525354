/**
 * fastai's classification head (`create_head`): pool the body's features (max and average
 * concatenated, so 2 × nf values), flatten, then for each hidden size a LinBnDrop block
 * (BatchNorm1d → Dropout → Linear without bias → ReLU), and a last one to `nOut` without ReLU.
 * Dropout is ps/2 in the hidden blocks and ps in the last; linear weights start He-normal (fastai's
 * `apply_init(head, kaiming_normal_)`), batch-norm biases at 1e-3 (fastai's `BatchNorm`).
 */
import * as tf from "@tensorflow/tfjs";
import { BatchNorm, type Layer, Linear } from "./layers.js";
import { relu } from "./ops.js";
import type { ParamStore } from "./params.js";

/** Options of the head (fastai's names and defaults). */
export interface HeadOptions {
  /** Dropout of the last block; the hidden blocks use ps/2. Default 0.5. */
  ps?: number;
  /** Concatenate max and average pooling (doubles the features). Default true; false: average only. */
  concatPool?: boolean;
  /** Batch norm before the first linear layer. Default true. */
  firstBn?: boolean;
  /** Hidden layer sizes. Default [512]. */
  linFtrs?: readonly number[];
}

/** BatchNorm1d (optional) → Dropout (p > 0) → Linear (bias only without the norm) → ReLU (optional). */
class LinBnDrop implements Layer {
  readonly #bn: BatchNorm | undefined;
  readonly #p: number;
  readonly #linear: Linear;
  readonly #relu: boolean;

  constructor(
    store: ParamStore,
    key: string,
    nIn: number,
    nOut: number,
    bn: boolean,
    p: number,
    relu: boolean,
  ) {
    if (bn) this.#bn = new BatchNorm(store, `${key}.bn`, nIn, { bias: 1e-3 });
    this.#p = p;
    this.#linear = new Linear(store, `${key}.linear`, nIn, nOut, !bn, "kaiming-normal");
    this.#relu = relu;
  }

  call(x: tf.Tensor, training: boolean): tf.Tensor {
    let h = this.#bn ? this.#bn.call(x, training) : x;
    if (training && this.#p > 0) h = tf.dropout(h, this.#p);
    h = this.#linear.call(h);
    return this.#relu ? relu(h) : h;
  }
}

function checkOptions(nf: number, nOut: number, opts: HeadOptions): Required<HeadOptions> {
  const ps = opts.ps ?? 0.5;
  if (!(ps >= 0 && ps < 1)) throw new RangeError(`head: ps must be in [0, 1), got ${String(opts.ps)}`);
  const linFtrs = opts.linFtrs ?? [512];
  for (const [name, v] of [
    ["nf", nf],
    ["nOut", nOut],
    ...linFtrs.map((f) => ["linFtrs", f] as const),
  ] as const) {
    if (!Number.isInteger(v) || v < 1)
      throw new RangeError(`head: ${name} must be a positive integer, got ${v}`);
  }
  return { ps, linFtrs, concatPool: opts.concatPool ?? true, firstBn: opts.firstBn ?? true };
}

/** The head on NHWC features `[b, h, w, nf]` → logits `[b, nOut]`; variables under `head.<i>.bn` / `head.<i>.linear`. */
export class Head implements Layer {
  readonly #blocks: LinBnDrop[];
  readonly #concatPool: boolean;

  constructor(store: ParamStore, nf: number, nOut: number, opts: HeadOptions = {}) {
    const o = checkOptions(nf, nOut, opts);
    this.#concatPool = o.concatPool;
    const sizes = [o.concatPool ? 2 * nf : nf, ...o.linFtrs, nOut];
    this.#blocks = sizes.slice(0, -1).map((nIn, i) => {
      const last = i === sizes.length - 2;
      return new LinBnDrop(
        store,
        `head.${i}`,
        nIn,
        sizes[i + 1] as number,
        i === 0 ? o.firstBn : true,
        last ? o.ps : o.ps / 2,
        !last,
      );
    });
  }

  call(x: tf.Tensor, training: boolean): tf.Tensor {
    return tf.tidy(() => {
      // fastai's AdaptiveConcatPool2d: max first, then average.
      const avg = tf.mean(x, [1, 2]);
      let h = this.#concatPool ? tf.concat([tf.max(x, [1, 2]), avg], 1) : avg;
      for (const block of this.#blocks) h = block.call(h, training);
      return h;
    });
  }
}
