/**
 * `pnpm bench [suite ...] [--quick]`: runs the suites in src/suites/ (all by default), one after the
 * other so they never compete for the two cores, and lets each rewrite its own section of RESULTS.md.
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { setQuickOutput } from "./results.js";
import { runOrder, type Suite } from "./suite.js";

const args = process.argv.slice(2).filter((a) => a !== "--");
const quick = args.includes("--quick");
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
for (const s of suites) {
  if (wanted.length && !wanted.includes(s.name)) continue;
  console.log(`\n== ${s.title} (${s.name})`);
  await s.run({ quick, command });
}
