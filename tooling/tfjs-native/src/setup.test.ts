// The setup runs as a real child process against a sandboxed copy of tfjs-node (so the checkout's
// own binding is never touched) and a temporary cache, with pip pointed at indexes that fail.
import { spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { homedir, tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const toolDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repoRoot = resolve(toolDir, "../..");
const setupScript = join(toolDir, "setup.mjs");
const realTfjsNode = dirname(
  createRequire(join(repoRoot, "packages/learner/package.json")).resolve(
    "@tensorflow/tfjs-node/package.json",
  ),
);
const versionDirName = `2.21.0-${process.platform}-${process.arch}`;

/** pip with no configuration file, an index that refuses connections and no extra sources. */
const unreachableIndex = {
  PIP_CONFIG_FILE: "/dev/null",
  PIP_INDEX_URL: "http://127.0.0.1:9/simple",
  PIP_EXTRA_INDEX_URL: "",
  PIP_FIND_LINKS: "",
  PIP_RETRIES: "0",
};

let work: string;
beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "tfjs-native-test-"));
});
afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

/**
 * A copy of the tfjs-node package without its binding, next to links to its real dependencies,
 * laid out as in pnpm's store folder so that `require(copy)` works.
 */
function sandboxTfjsNode(): string {
  const modules = join(work, "node_modules");
  const dest = join(modules, "@tensorflow/tfjs-node");
  cpSync(realTfjsNode, dest, {
    recursive: true,
    filter: (src) => !["lib", "deps", "build"].includes(relative(realTfjsNode, src).split("/")[0] ?? ""),
  });
  const siblings = resolve(realTfjsNode, "../..");
  for (const name of readdirSync(siblings)) {
    const scoped = name.startsWith("@")
      ? readdirSync(join(siblings, name)).map((n) => `${name}/${n}`)
      : [name];
    for (const entry of scoped) {
      if (entry === "@tensorflow/tfjs-node") continue;
      mkdirSync(dirname(join(modules, entry)), { recursive: true });
      symlinkSync(join(siblings, entry), join(modules, entry));
    }
  }
  return dest;
}

function runSetup(env: Record<string, string>) {
  const base = { ...process.env };
  for (const k of [
    "SCHED_SKIP_NATIVE",
    "SCHED_NATIVE_VERBOSE",
    "SCHED_TFJS_NATIVE_CACHE",
    "SCHED_TFJS_NODE_DIR",
  ]) {
    delete base[k];
  }
  return spawnSync(process.execPath, [setupScript], {
    env: { ...base, ...env },
    encoding: "utf8",
    timeout: 300_000,
  });
}

/** Every path under `dir`, relative, sorted (symlinks listed, not followed). */
function tree(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      out.push(relative(dir, p));
      if (lstatSync(p).isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** The pid of a process that has exited, as an interrupted install would have left behind. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ["-e", "console.log(process.pid)"], { encoding: "utf8" });
  return Number(r.stdout.trim());
}

function expectOneLine(stderr: string): string {
  const lines = stderr.split("\n").filter((l) => l.trim() !== "");
  expect(lines).toHaveLength(1);
  const line = lines[0] as string;
  expect(line).toMatch(/^tfjs-native: native TensorFlow backend not set up: /);
  expect(line).toContain("SCHED_TF_BACKEND=wasm");
  expect(line).toContain("SCHED_SKIP_NATIVE=1");
  return line;
}

describe("setup.mjs when it cannot get libtensorflow", () => {
  it("exits 0 with one line naming pip and the wheel, and writes nothing but its log", () => {
    const tfjsNode = sandboxTfjsNode();
    const before = tree(tfjsNode);
    const cache = join(work, "cache");
    const r = runSetup({
      ...unreachableIndex,
      SCHED_TFJS_NATIVE_CACHE: cache,
      SCHED_TFJS_NODE_DIR: tfjsNode,
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("");
    const line = expectOneLine(r.stderr);
    expect(line).toContain("pip could not download tensorflow-cpu==2.21.0");
    expect(line).toContain("Could not find a version that satisfies the requirement tensorflow-cpu==2.21.0");
    expect(line).toContain(`Log: ${join(cache, "setup.log")}`);
    expect(tree(cache)).toEqual(["setup.log"]);
    expect(tree(tfjsNode)).toEqual(before);
  });

  it("removes what an interrupted run left and does not take it for a cache", () => {
    const tfjsNode = sandboxTfjsNode();
    const cache = join(work, "cache");
    const pid = deadPid();
    const partial = join(cache, `.tmp-${pid}-abc123/deps/lib`);
    mkdirSync(partial, { recursive: true });
    writeFileSync(join(partial, "libtensorflow_cc.so.2"), "half of a library");
    writeFileSync(join(tfjsNode, `.tmp-${pid}-deps`), "");
    const r = runSetup({
      ...unreachableIndex,
      SCHED_TFJS_NATIVE_CACHE: cache,
      SCHED_TFJS_NODE_DIR: tfjsNode,
    });
    expect(r.status).toBe(0);
    expect(expectOneLine(r.stderr)).toContain("pip could not download");
    expect(tree(cache)).toEqual(["setup.log"]);
    expect(existsSync(join(tfjsNode, `.tmp-${pid}-deps`))).toBe(false);
  });

  it("reports a wheel without libtensorflow as an extraction failure and caches nothing", () => {
    const tfjsNode = sandboxTfjsNode();
    const cache = join(work, "cache");
    const wheels = join(work, "wheels");
    mkdirSync(wheels);
    // A well-formed wheel of the right name and version that lacks the libraries.
    const make = spawnSync(
      "python3",
      [
        "-c",
        `import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("tensorflow/__init__.py", "")
    d = "tensorflow_cpu-2.21.0.dist-info/"
    z.writestr(d + "METADATA", "Metadata-Version: 2.1\\nName: tensorflow-cpu\\nVersion: 2.21.0\\n")
    z.writestr(d + "WHEEL", "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
    z.writestr(d + "RECORD", "")`,
        join(wheels, "tensorflow_cpu-2.21.0-py3-none-any.whl"),
      ],
      { encoding: "utf8" },
    );
    expect(make.status, make.stderr).toBe(0);
    const r = runSetup({
      ...unreachableIndex,
      PIP_NO_INDEX: "1",
      PIP_FIND_LINKS: wheels,
      SCHED_TFJS_NATIVE_CACHE: cache,
      SCHED_TFJS_NODE_DIR: tfjsNode,
    });
    expect(r.status).toBe(0);
    const line = expectOneLine(r.stderr);
    expect(line).toContain("extracting libtensorflow from tensorflow_cpu-2.21.0-py3-none-any.whl");
    expect(line).toContain("has no tensorflow/libtensorflow_cc.so.2");
    expect(tree(cache)).toEqual(["setup.log"]);
  });
});

describe("setup.mjs switches", () => {
  it("does nothing at all with SCHED_SKIP_NATIVE=1", () => {
    const tfjsNode = sandboxTfjsNode();
    const before = tree(tfjsNode);
    const cache = join(work, "cache");
    const r = runSetup({
      ...unreachableIndex,
      SCHED_SKIP_NATIVE: "1",
      SCHED_TFJS_NATIVE_CACHE: cache,
      SCHED_TFJS_NODE_DIR: tfjsNode,
    });
    expect([r.status, r.stdout, r.stderr]).toEqual([0, "", ""]);
    expect(existsSync(cache)).toBe(false);
    expect(tree(tfjsNode)).toEqual(before);
  });
});

describe("setup.mjs with the per-user cache", () => {
  const cache =
    process.env.SCHED_TFJS_NATIVE_CACHE ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "sched", "tfjs-native");
  const versionDir = join(cache, versionDirName);
  const cachedBinding = join(versionDir, "bindings/tfjs-node-4.22.0-napi-v8/tfjs_binding.node");
  const complete =
    existsSync(join(versionDir, "deps/lib/libtensorflow_cc.so.2")) && existsSync(cachedBinding);

  it("restores a wiped tfjs-node from the cache silently, without pip, and the binding computes", () => {
    if (!complete) {
      // No cache means this checkout cannot have a native binding either (its deps/ points there).
      if (process.env.SCHED_REQUIRE_NATIVE === "1") {
        throw new Error(`SCHED_REQUIRE_NATIVE=1 but ${versionDir} is incomplete: run \`pnpm install\``);
      }
      expect(existsSync(join(realTfjsNode, "lib/napi-v8/tfjs_binding.node"))).toBe(false);
      return;
    }
    const tfjsNode = sandboxTfjsNode();
    // The user's cache, seen through a link from a temporary cache root, so this run's log does
    // not replace the real one.
    const linked = join(work, "cache");
    mkdirSync(linked);
    symlinkSync(versionDir, join(linked, versionDirName));
    const env = { ...unreachableIndex, SCHED_TFJS_NATIVE_CACHE: linked, SCHED_TFJS_NODE_DIR: tfjsNode };
    // The unreachable index proves nothing is downloaded: everything comes from the cache.
    const r = runSetup(env);
    expect([r.status, r.stdout, r.stderr]).toEqual([0, "", ""]);
    expect(realpathSync(join(tfjsNode, "deps"))).toBe(realpathSync(join(versionDir, "deps")));
    expect(tree(tfjsNode).filter((p) => p.startsWith("lib"))).toEqual([
      "lib",
      "lib/napi-v8",
      "lib/napi-v8/tfjs_binding.node",
    ]);
    const probe = spawnSync(
      process.execPath,
      [
        "-e",
        "const tf = require(process.argv[1]); console.log(tf.getBackend(), tf.add(tf.scalar(2), tf.scalar(3)).dataSync()[0])",
        tfjsNode,
      ],
      { encoding: "utf8", env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "2", TF_ENABLE_ONEDNN_OPTS: "0" } },
    );
    expect(probe.stdout.trim()).toBe("tensorflow 5");
    // A second run finds the binding working and changes nothing.
    const again = runSetup(env);
    expect([again.status, again.stdout, again.stderr]).toEqual([0, "", ""]);
  });
});
