/**
 * `pnpm bench [suite ...] [--quick]`: runs the suites in src/suites/ (all by default), one after the
 * other so they never compete for the two cores, and lets each rewrite its own section of RESULTS.md.
 * `pnpm bench <suite ...> --render`: rewrites those sections from their JSON, measuring nothing.
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { setQuickOutput } from "./results.js";
import { runOrder, type Suite } from "./suite.js";

const args = process.argv.slice(2).filter((a) => a !== "--");
const quick = args.includes("--quick");
const render = args.includes("--render");
setQuickOutput(quick);
const wanted = args.filter((a) => !a.startsWith("--"));
const dir = join(dirname(fileURLToPath(import.meta.url)), "suites");
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
  .sort();
const loaded: Suite[] = [];
for (const f of files) loaded.push((await import(pathToFileURL(join(dir, f)).href)).default as Suite);
const suites = runOrder(loaded);
const unknown = wanted.filter((w) => !suites.some((s) => s.name === w));
if (unknown.length) {
  console.error(
    `unknown suite(s): ${unknown.join(", ")}; available: ${suites.map((s) => s.name).join(", ")}`,
  );
  process.exit(2);
}
const command = `pnpm bench${args.length ? ` ${args.join(" ")}` : ""}`;
const chosen = suites.filter((s) => !wanted.length || wanted.includes(s.name));
if (render) {
  const cannot = chosen.filter((s) => !s.render).map((s) => s.name);
  if (quick || !wanted.length || cannot.length) {
    console.error(
      `--render rewrites named suites' sections from their JSON, without --quick${cannot.length ? `; these cannot: ${cannot.join(", ")}` : ""}; it can: ${suites
        .filter((s) => s.render)
        .map((s) => s.name)
        .join(", ")}`,
    );
    process.exit(2);
  }
}
for (const s of chosen) {
  console.log(`\n== ${s.title} (${s.name})${render ? ": re-rendered from its JSON" : ""}`);
  await (render && s.render ? s.render() : s.run({ quick, command }));
}
