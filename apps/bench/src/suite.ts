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
  run(ctx: BenchContext): Promise<void>;
}
