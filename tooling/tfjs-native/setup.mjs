// Root postinstall: gives tfjs-node a working native binding without its CDN download.
// libtensorflow comes from TensorFlow's official wheel (through pip), the binding is built with
// node-gyp, and both are cached per user and version, so later installs only copy and verify.
// Never fails the install: on any problem it prints one line and the library runs on wasm or cpu.
import { existsSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { publishDir, removeStaleTemps } from "./src/atomic.mjs";
import { bindingWorks, buildBinding, installBinding, uninstallBinding } from "./src/binding.mjs";
import { ensureLibtensorflow } from "./src/libtensorflow.mjs";
import { cacheLayout, cacheRoot, findTfjsNode } from "./src/locate.mjs";
import { logFile, SetupError, say } from "./src/run.mjs";

const FALLBACK =
  "the library will use wasm or cpu (SCHED_TF_BACKEND=wasm selects it explicitly; SCHED_SKIP_NATIVE=1 skips this step)";

function setup() {
  if (process.env.SCHED_SKIP_NATIVE === "1") return;
  const tfjsNode = findTfjsNode();
  if (!tfjsNode) {
    throw new SetupError(
      "@tensorflow/tfjs-node is not installed",
      "the optional dependency was skipped",
      "run `pnpm install` again",
    );
  }
  const root = cacheRoot();
  logFile.path = join(root, "setup.log");
  rmSync(logFile.path, { force: true });
  say(`tfjs-node ${tfjsNode.version} at ${tfjsNode.dir}`);
  if (bindingWorks(tfjsNode).ok) return say("its binding already works");
  if (process.platform !== "linux" || process.arch !== "x64") {
    throw new SetupError(
      `no offline libtensorflow for ${process.platform}-${process.arch}`,
      "this setup uses the manylinux x86_64 wheel",
      "install @tensorflow/tfjs-node with its own download script allowed",
    );
  }
  const layout = cacheLayout(root, tfjsNode);
  for (const dir of [root, layout.bindings, tfjsNode.dir, dirname(tfjsNode.bindingPath)])
    removeStaleTemps(dir);
  ensureLibtensorflow(layout, tfjsNode);

  const cached = join(layout.binding, "tfjs_binding.node");
  if (existsSync(cached)) {
    say(`installing the cached binding ${cached}`);
    installBinding(cached, layout, tfjsNode);
    if (bindingWorks(tfjsNode).ok) return;
    // A cached binding that no longer loads (e.g. a changed toolchain) is rebuilt once.
    uninstallBinding(tfjsNode);
    rmSync(layout.binding, { recursive: true, force: true });
  }
  const built = buildBinding(layout, tfjsNode);
  try {
    installBinding(join(built, "out/tfjs_binding.node"), layout, tfjsNode);
    const check = bindingWorks(tfjsNode);
    if (!check.ok) {
      uninstallBinding(tfjsNode);
      throw new SetupError("the built tfjs_binding.node does not load", check.detail, "see the log");
    }
    publishDir(join(built, "out"), layout.binding);
  } finally {
    rmSync(built, { recursive: true, force: true });
  }
}

try {
  const started = Date.now();
  setup();
  say(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
} catch (err) {
  const e =
    err instanceof SetupError
      ? err
      : new SetupError("unexpected error", err?.message ?? String(err), "see the log");
  const log = logFile.path && existsSync(logFile.path) ? ` Log: ${logFile.path}.` : "";
  const cause = String(e.cause).replace(/\s+/g, " ").trim();
  console.error(
    `tfjs-native: native TensorFlow backend not set up: ${e.what} (${cause}). To retry: ${e.advice}. Until then ${FALLBACK}.${log}`,
  );
}
process.exitCode = 0;
