import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as tf from "@tensorflow/tfjs";
import { afterEach, beforeAll, beforeEach, expect, it } from "vitest";
import { arrowClaims, tsBlocks } from "./blocks.js";
import { runBlock } from "./run.js";

const packageDir = join(dirname(fileURLToPath(import.meta.url)), "..");
let demo: string; // a throwaway package "@demo/greet" with one source file
const imports = () => ({ "@demo/greet": join(demo, "src", "index.ts") });

beforeAll(async () => {
  await tf.setBackend("cpu");
});
beforeEach(() => {
  demo = mkdtempSync(join(tmpdir(), "readme-examples-"));
  mkdirSync(join(demo, "src"));
  writeFileSync(
    join(demo, "src", "index.ts"),
    'export const greet = (name: string): string => "hi " + name;\n',
  );
});
afterEach(() => rmSync(demo, { recursive: true, force: true }));

/** What must hold after every run: nothing left in out/, the console and working directory as before. */
function expectRestored(log: typeof console.log, cwd: string) {
  expect(existsSync(join(demo, "out"))).toBe(false);
  expect(console.log).toBe(log);
  expect(process.cwd()).toBe(cwd);
}

it("runs a README block from the package's sources and reports what it printed, wrote and exported", async () => {
  const readmeFile = join(demo, "README.md");
  writeFileSync(
    readmeFile,
    [
      "# @demo/greet",
      "```ts",
      'import { mkdirSync, writeFileSync } from "node:fs";',
      "import { greet } from '@demo/greet';",
      'console.log(greet("ada"), [1, 2]); // → hi ada 1,2',
      'console.warn("careful");',
      'mkdirSync("notes");',
      'writeFileSync("notes/a.txt", greet("bob"));',
      "export const answer = 42;",
      "```",
    ].join("\n"),
  );
  const [code] = tsBlocks(readFileSync(readmeFile, "utf8"));
  const [log, cwd] = [console.log, process.cwd()];
  const run = await runBlock(code as string, {
    packageDir: demo,
    imports: imports(),
    capture: ["log", "warn"],
  });
  expect(run.printed).toEqual(["hi ada 1,2", "careful"]);
  expect(run.printed.slice(0, 1)).toEqual(arrowClaims(code as string));
  expect(run.calls).toEqual([["hi ada", [1, 2]], ["careful"]]);
  expect([...run.written.keys()]).toEqual(["notes/a.txt"]);
  expect(run.written.get("notes/a.txt")?.toString()).toBe("hi bob");
  expect(run.exports.answer).toBe(42);
  expect(run.tensorChange).toBeUndefined();
  expectRestored(log, cwd);
});

it("a failing block's error reaches the test, and the files it and the run wrote are removed", async () => {
  const code = [
    'import { writeFileSync } from "node:fs";',
    'import { greet } from "@demo/greet";',
    'console.log(greet("x"));',
    'writeFileSync("partial.txt", "half done");',
    'throw new RangeError("example failed after writing");',
  ].join("\n");
  const [log, cwd] = [console.log, process.cwd()];
  const error = await runBlock(code, { packageDir: demo, imports: imports() }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RangeError);
  expect((error as Error).message).toBe("example failed after writing");
  expectRestored(log, cwd);
  expect(readdirSync(demo)).toEqual(["src"]);
});

it("an out/ folder that holds other files keeps them", async () => {
  mkdirSync(join(demo, "out"));
  writeFileSync(join(demo, "out", "keep.png"), "x");
  const run = await runBlock("console.log(1 + 1); // → 2\n", { packageDir: demo, imports: {} });
  expect(run.printed).toEqual(["2"]);
  expect(readdirSync(join(demo, "out"))).toEqual(["keep.png"]);
});

it("tensorChange counts the tensors a block leaves alive, through the package's own tfjs", async () => {
  const countTensors = () => tf.memory().numTensors;
  const before = countTensors();
  const leaky = [
    'import * as tf from "@tensorflow/tfjs";',
    "export const kept = tf.scalar(1);",
    "tf.tidy(() => {\n  tf.add(kept, 1);\n});", // the tidy returns nothing, so frees both of its tensors
  ].join("\n");
  const run = await runBlock(leaky, { packageDir, imports: {}, countTensors });
  expect(run.tensorChange).toBe(1);
  tf.dispose(run.exports.kept as tf.Tensor);
  const clean = 'import * as tf from "@tensorflow/tfjs";\ntf.tidy(() => {\n  tf.scalar(3).square();\n});\n';
  expect((await runBlock(clean, { packageDir, imports: {}, countTensors })).tensorChange).toBe(0);
  expect(countTensors()).toBe(before);
});

it("this package's README example runs and prints what it claims", async () => {
  const blocks = tsBlocks(readFileSync(join(packageDir, "README.md"), "utf8"));
  expect(blocks).toHaveLength(1);
  const code = blocks[0] as string;
  const source = join(packageDir, "src", "index.ts");
  const run = await runBlock(code, { packageDir, imports: { "@sched/readme-examples": source } });
  expect(arrowClaims(code)).toEqual(["printed 5, claimed 5"]);
  expect(run.printed).toEqual(arrowClaims(code));
});
