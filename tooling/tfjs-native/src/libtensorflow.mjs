// libtensorflow from TensorFlow's wheel, through pip (so from whatever index pip is configured with).
import { existsSync, readdirSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { makeTemp, publishDir } from "./atomic.mjs";
import { python, toolDir, WHEEL } from "./locate.mjs";
import { run, SetupError, say } from "./run.mjs";

const LIBS = ["libtensorflow_cc.so.2", "libtensorflow_framework.so.2"];

/** Whether the cached deps folder is complete (it is published in one rename, so this is cheap). */
export function hasLibtensorflow(deps) {
  return LIBS.every((l) => existsSync(join(deps, "lib", l))) && existsSync(join(deps, "include"));
}

/** Downloads the wheel and extracts libtensorflow into the cache, unless it is there already. */
export function ensureLibtensorflow(layout, tfjsNode) {
  if (hasLibtensorflow(layout.deps)) return;
  // The temporary folder sits in the cache root, so a failed download leaves no version folder.
  const tmp = makeTemp(layout.root);
  try {
    const spec = `${WHEEL.name}==${WHEEL.version}`;
    say(`downloading ${spec} with pip`);
    const dl = run(python(), [
      "-m",
      "pip",
      "download",
      "--no-deps",
      "--only-binary=:all:",
      "--disable-pip-version-check",
      "--dest",
      join(tmp, "wheel"),
      spec,
    ]);
    if (!dl.ok) {
      throw new SetupError(
        `pip could not download ${spec}`,
        dl.detail,
        "make pip reach an index that has it (see `pip config list`), then run `pnpm install` again",
      );
    }
    const wheel = readdirSync(join(tmp, "wheel")).find((f) => f.endsWith(".whl"));
    if (!wheel)
      throw new SetupError(`pip download of ${spec}`, "no .whl file was saved", "run `pnpm install` again");
    say(`extracting libtensorflow from ${wheel}`);
    const ex = run(python(), [
      join(toolDir, "src/extract-wheel.py"),
      join(tmp, "wheel", wheel),
      join(tfjsNode.dir, "binding"),
      join(tmp, "deps"),
    ]);
    if (!ex.ok)
      throw new SetupError(`extracting libtensorflow from ${wheel}`, ex.detail, "report this wheel");
    // The names the linker looks for (-ltensorflow, -ltensorflow_framework); the binding then
    // records the sonames, which are the files themselves.
    symlinkSync("libtensorflow_cc.so.2", join(tmp, "deps/lib/libtensorflow.so"));
    symlinkSync("libtensorflow_framework.so.2", join(tmp, "deps/lib/libtensorflow_framework.so"));
    rmSync(join(tmp, "wheel"), { recursive: true, force: true });
    publishDir(join(tmp, "deps"), layout.deps);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
