/** Running one README example as a user would, from the package's sources, and reporting what it did. */
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join, relative, sep } from "node:path";
import { pathToFileURL } from "node:url";

/** The console methods a run can capture. */
export type ConsoleMethod = "log" | "info" | "warn" | "error";

/** Where a block runs and what it may see. */
export interface RunOptions {
  /**
   * The package's root folder: the example resolves its other imports from the package's
   * node_modules, as a user's script would, and its temporary files live under the git-ignored out/.
   */
  readonly packageDir: string;
  /** Specifier → source file (e.g. `{ "@sched/core": "<pkg>/src/index.ts" }`), so the example runs the code under test. */
  readonly imports: Readonly<Record<string, string>>;
  /** The console methods captured (and silenced) while the block runs; by default `["log"]`. */
  readonly capture?: readonly ConsoleMethod[];
  /** The live tensor count, e.g. `() => tf.memory().numTensors`: leaks show without a dependency on tfjs here. */
  readonly countTensors?: () => number;
}

/** What one block did, for the test to assert on (the run itself asserts nothing). */
export interface BlockRun {
  /** One line per captured call: its arguments `String()`-ed and joined by spaces. */
  readonly printed: string[];
  /** Each captured call's raw arguments, for claims about values rather than text. */
  readonly calls: unknown[][];
  /** Live tensors after the block minus before it; undefined without `countTensors`. */
  readonly tensorChange: number | undefined;
  /** The files the block wrote into its working folder (path relative to it → bytes), read before removal. */
  readonly written: ReadonlyMap<string, Buffer>;
  /** The example module's exports, e.g. a model the test disposes before its own leak check. */
  readonly exports: Readonly<Record<string, unknown>>;
}

/**
 * Writes the block into a fresh folder under `<packageDir>/out/` with the `imports` pointed at their
 * sources, imports it with the working directory set to an empty folder and the console captured,
 * and reports what it printed, wrote and leaked. Whatever happens, the console and working directory
 * are restored and the folder it wrote is removed; the block's own error is rethrown.
 */
export async function runBlock(code: string, options: RunOptions): Promise<BlockRun> {
  const out = join(options.packageDir, "out");
  const folder = makeFolder(out);
  const cwd = process.cwd();
  const calls: unknown[][] = [];
  let restoreConsole = () => {};
  try {
    const file = join(folder, "example.ts");
    writeFileSync(file, pointImports(code, options.imports, folder));
    const work = join(folder, "work");
    mkdirSync(work);
    process.chdir(work);
    restoreConsole = captureConsole(options.capture ?? ["log"], calls);
    const before = options.countTensors?.();
    const exports = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as Record<string, unknown>;
    const after = options.countTensors?.();
    return {
      printed: calls.map((args) => args.map(String).join(" ")),
      calls,
      tensorChange: before === undefined || after === undefined ? undefined : after - before,
      written: readFiles(work),
      exports,
    };
  } finally {
    restoreConsole();
    process.chdir(cwd);
    rmSync(folder, { recursive: true, force: true });
    try {
      rmdirSync(out); // only when empty: out/ may hold other files
    } catch {}
  }
}

/** A new folder in `out`, which a parallel run may remove while empty: so it is recreated and retried. */
function makeFolder(out: string): string {
  for (let attempt = 1; ; attempt++) {
    mkdirSync(out, { recursive: true });
    try {
      return mkdtempSync(join(out, "readme-"));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT" || attempt === 5) throw e;
    }
  }
}

/** The code with each quoted package specifier replaced by a relative path to its source file. */
function pointImports(code: string, imports: Readonly<Record<string, string>>, folder: string): string {
  let text = code;
  for (const [specifier, source] of Object.entries(imports)) {
    const path = relative(folder, source).split(sep).join("/");
    const target = JSON.stringify(path.startsWith(".") ? path : `./${path}`);
    text = text.replaceAll(`"${specifier}"`, target).replaceAll(`'${specifier}'`, target);
  }
  return text;
}

/** Routes the given console methods into `calls` until the returned function puts them back. */
function captureConsole(methods: readonly ConsoleMethod[], calls: unknown[][]): () => void {
  const originals = methods.map((method) => [method, console[method]] as const);
  for (const method of methods) {
    console[method] = (...args: unknown[]) => {
      calls.push(args);
    };
  }
  return () => {
    for (const [method, original] of originals) console[method] = original;
  };
}

/** Every file below `dir`, by its `/`-separated path relative to `dir`, sorted. */
function readFiles(dir: string): Map<string, Buffer> {
  const paths = (readdirSync(dir, { recursive: true }) as string[]).sort();
  const files = new Map<string, Buffer>();
  for (const path of paths) {
    const full = join(dir, path);
    if (statSync(full).isFile()) files.set(path.split(sep).join("/"), readFileSync(full));
  }
  return files;
}
