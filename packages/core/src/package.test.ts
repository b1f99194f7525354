/** The package promise: zero runtime dependencies and no Node APIs in the shipped sources. */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const src = dirname(fileURLToPath(import.meta.url));
const shipped = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return shipped(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") && !e.name.startsWith("test-") ? [p] : [];
  });

describe("@sched/core package", () => {
  it("has no runtime dependencies", () => {
    const pkg = JSON.parse(readFileSync(join(src, "..", "package.json"), "utf8"));
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.peerDependencies ?? {}).toEqual({});
  });

  it("imports only its own modules and uses no Node globals, so it runs in browsers", () => {
    const files = shipped(src);
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const imports = [...text.matchAll(/from\s+"([^"]+)"/g)].map((m) => m[1] as string);
      for (const spec of imports) expect(spec, relative(src, file)).toMatch(/^\.\.?\//);
      expect(text, relative(src, file)).not.toMatch(
        /\b(process|Buffer|require|__dirname|globalThis\.process)\b/,
      );
    }
  });
});
