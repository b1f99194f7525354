/** Writes a suite's section of RESULTS.md (between its own markers) and its raw figures as JSON. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, platform, release, totalmem } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const benchDir = join(dirname(fileURLToPath(import.meta.url)), "..");

let quickOutput = false;
/**
 * `--quick` runs are smoke tests: they write RESULTS.quick.md, results/quick/ and out/quick/ (ignored by
 * git), so they never overwrite the committed full results.
 */
export function setQuickOutput(on: boolean): void {
  quickOutput = on;
}
/** Where plots go: out/, or out/quick/ for a quick run. */
export function outDir(): string {
  return quickOutput ? join(benchDir, "out", "quick") : join(benchDir, "out");
}
const resultsFile = () => join(benchDir, quickOutput ? "RESULTS.quick.md" : "RESULTS.md");
const jsonDir = () => (quickOutput ? join(benchDir, "results", "quick") : join(benchDir, "results"));

/** One line that says where the numbers come from. */
export function machineLine(backend?: string): string {
  const cpu = cpus()[0]?.model ?? "unknown cpu";
  const mem = Math.round(totalmem() / 2 ** 30);
  const be = backend ? `, tfjs backend \`${backend}\`` : "";
  return `${cpus().length}× ${cpu}, ${mem} GiB, ${platform()} ${release()}, Node ${process.version}${be}`;
}

/** Where each suite's section goes in RESULTS.md (unlisted suites follow, by name). */
const SECTION_ORDER = [
  "schedules",
  "backends",
  "learner",
  "lrfind",
  "layers",
  "vision",
  "regret",
  "regret-seeds",
  "regret-heldout",
  "regret-splits",
  "superconvergence",
];

export interface SectionInput {
  suite: string;
  title: string;
  command: string;
  backend?: string;
  body: string;
  json: unknown;
  /** A re-rendered section (`--render`) keeps its run's date and machine line, and its JSON as it is. */
  rendered?: { date: string; machine: string };
}

/** Replaces (or appends) the suite's section; other suites' sections are left untouched. */
export function writeSection(s: SectionInput): void {
  const date = s.rendered?.date ?? new Date().toISOString().slice(0, 10);
  const machine = s.rendered?.machine ?? machineLine(s.backend);
  const begin = `<!-- suite:${s.suite} -->`;
  const end = `<!-- /suite:${s.suite} -->`;
  const section = [
    begin,
    `## ${s.title}`,
    "",
    `Command: \`${s.command}\` · date ${date} · ${machine}`,
    "",
    s.body.trim(),
    end,
  ].join("\n");
  const head =
    "# Benchmark results\n\nEach section is rewritten by its suite; raw figures are in `results/<suite>.json`.\n";
  const file = resultsFile();
  const text = existsSync(file) ? readFileSync(file, "utf8") : head;
  const sections = new Map<string, string>();
  const marker = /<!-- suite:([\w-]+) -->[\s\S]*?<!-- \/suite:\1 -->/g;
  for (const m of text.matchAll(marker)) sections.set(m[1] as string, m[0]);
  sections.set(s.suite, section);
  const preamble = text.split("<!-- suite:")[0]?.trimEnd() || head.trimEnd();
  // A fixed order, so a rerun of one suite moves no other section and diffs stay readable.
  const rank = (name: string) => {
    const i = SECTION_ORDER.indexOf(name);
    return i < 0 ? SECTION_ORDER.length : i;
  };
  const ordered = [...sections.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  writeFileSync(file, `${preamble}\n\n${ordered.map((k) => sections.get(k)).join("\n\n")}\n`);
  if (s.rendered) return;
  mkdirSync(jsonDir(), { recursive: true });
  writeFileSync(
    join(jsonDir(), `${s.suite}.json`),
    `${JSON.stringify({ suite: s.suite, date, machine, command: s.command, data: s.json }, null, 2)}\n`,
  );
}

/** A GitHub-flavoured markdown table. */
export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}
