/** The shape every benchmark suite in src/suites/ exports as its default. */
export interface BenchContext {
  /** `--quick`: the whole bench must finish in under 3 minutes. */
  quick: boolean;
  /** The exact command line, for RESULTS.md. */
  command: string;
}

export interface Suite {
  name: string;
  title: string;
  /** Suites whose results/<name>.json this one reads: a run of several puts them first. */
  after?: readonly string[];
  run(ctx: BenchContext): Promise<void>;
  /**
   * `--render`: rewrites the section from the last full run's results/<name>.json without measuring
   * anything, so a change to a section's prose shows its output on the same figures.
   */
  render?(): Promise<void>;
}

/**
 * `suites` in file order, except that each comes after the suites it names in `after`, so a full run
 * reads the JSON its dependencies have just written rather than the previous run's.
 */
export function runOrder(suites: readonly Suite[]): Suite[] {
  const order: Suite[] = [];
  const place = (s: Suite, path: readonly string[]) => {
    if (order.includes(s)) return;
    if (path.includes(s.name))
      throw new Error(`bench: suites depend on each other in a cycle: ${[...path, s.name].join(" → ")}`);
    for (const dep of s.after ?? []) {
      const d = suites.find((x) => x.name === dep);
      if (d) place(d, [...path, s.name]);
    }
    order.push(s);
  };
  for (const s of suites) place(s, []);
  return order;
}
