/** Command-line flags of the demo. Tiny on purpose: four flags, no dependency. */
import { isAbsolute, resolve } from "node:path";

/** What a run of the demo should do. */
export interface DemoOptions {
  /** Fetch the real Oxford-IIIT Pet dataset with untarData instead of the local image folder. */
  pets: boolean;
  /** A much shorter run (fewer batches, epochs and LR-finder iterations). */
  quick: boolean;
  /** Absolute output folder. */
  out: string;
}

/** The outcome of parsing: a run, or a request for the usage text. */
export type ParsedArgs = { kind: "run"; options: DemoOptions } | { kind: "help" };

/** A flag the demo does not know, or a flag missing its value. */
export class UsageError extends Error {
  override name = "UsageError";
}

export const USAGE = `Usage: pnpm demo [-- <flags>]

Runs the LR finder and a one-cycle fit on a small real dataset (optdigits, shipped) and on an image
folder in the Oxford-IIIT Pet naming scheme, then writes the figures and report.html to the out folder.

Flags:
  --out <dir>  output folder (default apps/demo/out; a relative path is taken from the
               directory pnpm was started in, the repository root for \`pnpm demo\`)
  --pets       fetch the real Oxford-IIIT Pet dataset with untarData(URLs.PETS) (needs the network)
  --quick      a much shorter run (used by the tests)
  --help       print this text`;

/**
 * Parses `argv` (without node and the script). Leading `--` separators, which pnpm passes through
 * when called as `pnpm demo -- --flag`, are ignored. `base` anchors a relative `--out`;
 * `defaultOut` is used without one.
 */
export function parseArgs(argv: readonly string[], base: string, defaultOut: string): ParsedArgs {
  const options: DemoOptions = { pets: false, quick: false, out: defaultOut };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "--") continue;
    if (arg === "--help" || arg === "-h") return { kind: "help" };
    if (arg === "--pets") options.pets = true;
    else if (arg === "--quick") options.quick = true;
    else if (arg === "--out" || arg.startsWith("--out=")) {
      const value = arg === "--out" ? argv[++i] : arg.slice("--out=".length);
      if (value === undefined || value === "" || value.startsWith("--")) {
        throw new UsageError(
          `--out needs a folder, got ${value === undefined ? "nothing" : JSON.stringify(value)}`,
        );
      }
      options.out = isAbsolute(value) ? value : resolve(base, value);
    } else throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
  }
  return { kind: "run", options };
}
