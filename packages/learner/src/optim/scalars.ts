import * as tf from "@tensorflow/tfjs";

/**
 * Float32 scalars shared by every parameter of a step and kept across steps. A coefficient that does not
 * change (eps, 1 - sqrMom, a constant lr) is uploaded once; one that a schedule changes is uploaded once per
 * step, not once per parameter. Scalars not used during a step are freed at its end.
 */
export class ScalarCache {
  private readonly live = new Map<number, tf.Scalar>();
  private readonly used = new Set<number>();
  private readonly created = new Set<number>();

  /** The cached scalar for `value`, created (and kept out of any enclosing tidy) on first use. */
  get(value: number): tf.Scalar {
    let s = this.live.get(value);
    if (s === undefined) {
      s = tf.keep(tf.scalar(value, "float32"));
      this.live.set(value, s);
      this.created.add(value);
    }
    this.used.add(value);
    return s;
  }

  /** Ends a step: frees the scalars it did not use. */
  sweep(): void {
    for (const [value, s] of this.live) {
      if (!this.used.has(value)) {
        s.dispose();
        this.live.delete(value);
      }
    }
    this.used.clear();
    this.created.clear();
  }

  /** Abandons a failed step: frees the scalars it created, so the cache is as before the step. */
  rollback(): void {
    for (const value of this.created) {
      this.live.get(value)?.dispose();
      this.live.delete(value);
    }
    this.used.clear();
    this.created.clear();
  }

  /** Frees every scalar; the cache stays usable (it is only a cache). */
  clear(): void {
    for (const s of this.live.values()) s.dispose();
    this.live.clear();
    this.used.clear();
    this.created.clear();
  }

  /** How many scalars are held. */
  get size(): number {
    return this.live.size;
  }
}
