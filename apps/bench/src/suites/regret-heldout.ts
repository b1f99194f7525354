/**
 * The regret study on tasks that played no part in designing `halfway` (iris and digits, with 10 seeds):
 * `halfway` was shaped after looking at the six main tasks' finder curves, so its regret there is
 * optimistic; only tasks it never saw tell whether making it `lrFind`'s default is a gain over `valley`.
 */
import { basename } from "node:path";
import {
  DEFAULT_FUNC,
  FASTAI_FUNC,
  methodLabel,
  oracleRelativeSe,
  quickStudy,
  type RegretConfig,
  readStudy,
  regretOf,
  regretSuite,
  regretSummary,
  suggestedLrTable,
  type TaskRegret,
  tenSeedStudy,
} from "../lib/regret-study.js";
import { pct, sci } from "../lib/stats.js";
import { table } from "../results.js";
import { HELDOUT_TASKS } from "../tasks/index.js";
import { plot } from "./regret.js";

/** The comparison the check exists for: lrFind's default (halfway) against fastai's (valley). */
const NEW = DEFAULT_FUNC;
const OLD = FASTAI_FUNC;

const FULL = tenSeedStudy(HELDOUT_TASKS.map((t) => t.name));
const QUICK = quickStudy("iris");

/** The design tasks' latest full figures: regret.json, with regret-seeds.json's 10-seed tasks in place. */
function designTasks(): TaskRegret[] {
  const seeds = readStudy("regret-seeds");
  return [...readStudy("regret").filter((r) => !seeds.some((s) => s.task === r.task)), ...seeds];
}

/** Seeds on which `a`'s LR trained to a lower valid loss than `b`'s (a tie counts for neither). */
function wins(r: TaskRegret, a: string, b: string): number {
  const la = r.methods.find((m) => m.name === a)?.losses ?? [];
  const lb = r.methods.find((m) => m.name === b)?.losses ?? [];
  return la.filter((x, i) => x < (lb[i] ?? Number.NaN)).length;
}

/** One plain sentence on `halfway` against `valley` here, then the same pair on the design tasks. */
function verdict(results: TaskRegret[], design: TaskRegret[]): string[] {
  const n = regretSummary(results, NEW);
  const o = regretSummary(results, OLD);
  const word =
    n.med < o.med && n.worst < o.worst
      ? "better than"
      : n.med > o.med && n.worst > o.worst
        ? "worse than"
        : "neither better nor worse than (mixed)";
  const perSeed = results
    .map((r) => `${wins(r, NEW, OLD)} of ${r.methods[0]?.losses.length} seeds on ${r.task}`)
    .join(", ");
  const lines = [
    `**\`${NEW}\` (the new default) against \`${OLD}\` (fastai's default) on these held-out tasks: ${NEW} is ${word} ${OLD}** — median ${pct(n.med)} vs ${pct(o.med)}, worst ${pct(n.worst)} vs ${pct(o.worst)}. Seed by seed, ${NEW}'s LR trained to the lower valid loss on ${perSeed}.`,
  ];
  if (design.length > 0) {
    const dn = regretSummary(design, NEW);
    const dov = regretSummary(design, OLD);
    lines.push(
      "",
      `For comparison, on the ${design.length} tasks ${NEW} was designed on (${design.map((d) => d.task).join(", ")}; last full \`regret\` run, with \`regret-seeds\`' 10-seed figures where it has them): ${NEW} median ${pct(dn.med)} / worst ${pct(dn.worst)}, ${OLD} ${pct(dov.med)} / ${pct(dov.worst)}.`,
    );
  }
  return lines;
}

/** The section's markdown. */
export function report(
  results: TaskRegret[],
  design: TaskRegret[],
  cfg: RegretConfig,
  quick: boolean,
): string {
  const methods = results[0]?.methods.map((m) => m.name) ?? [];
  const many = results.length > 1;
  return [
    ...(quick
      ? [
          `**Quick run** (\`--quick\`): ${results.map((r) => r.task).join(", ")}, ${cfg.grid.length} grid LRs, ${cfg.seeds.length} seeds: a smoke test, not the result. Run \`pnpm bench regret-heldout\` for the check.`,
          "",
        ]
      : []),
    `Why: \`halfway\` was designed after looking at the finder curves of the main study's six tasks, so its regret there is optimistic. These tasks played no part in that: the study of the "LR suggestion regret" section runs on them with ${cfg.seeds.length} seeds (${cfg.seeds[0]}…${cfg.seeds.at(-1)}), the same grid (${cfg.grid.length} LRs, ${sci(cfg.grid[0] as number)} … ${sci(cfg.grid.at(-1) as number)}) and the same suggestion functions, alone, ×${cfg.repeats} and on the validation curve. Their budgets were fixed when the tasks were written, before any regret run, and not changed after. Caveat: sklearn's digits are the same 1,797 images as optdigits' validation file; here they are split 80/20 and fed to a CNN (optdigits trains an MLP on the other 3,823 images), so the data is not entirely new to the study, the model and the curves are.`,
    "",
    table(
      [
        "task",
        "data and model",
        "budget",
        "oracle lr (grid)",
        "oracle valid loss",
        "s.e. / oracle",
        "refined oracle",
      ],
      results.map((r) => [
        r.task,
        r.describe,
        `${r.epochs} epochs = ${r.stepsPerTraining} steps`,
        sci(r.oracle.lr) + (r.oracle.atEdge ? " (grid edge!)" : ""),
        r.oracle.loss.toFixed(4),
        `${(100 * oracleRelativeSe(r)).toFixed(1)}%`,
        `${sci(r.refined.lr)}: ${r.refined.loss.toFixed(4)}`,
      ]),
    ),
    "",
    `Regret (mean valid loss at the suggestions − oracle) / oracle${many ? `, and median / worst over these ${results.length} tasks (with two tasks the median is their mean)` : ""}:`,
    "",
    table(
      ["suggestion", ...results.map((r) => r.task), ...(many ? ["median", "worst"] : [])],
      methods.map((name) => {
        const s = regretSummary(results, name);
        return [
          methodLabel(name),
          ...results.map((r) => pct(regretOf(r, name))),
          ...(many ? [pct(s.med), pct(s.worst)] : []),
        ];
      }),
    ),
    "",
    ...(methods.includes(NEW) && methods.includes(OLD) ? verdict(results, quick ? [] : design) : []),
    "",
    "Suggested LRs (geometric mean over seeds) and mean valid loss:",
    "",
    suggestedLrTable(results, methods),
  ].join("\n");
}

export default regretSuite({
  name: "regret-heldout",
  title: "LR suggestion regret on held-out tasks (iris, digits), with 10 seeds",
  after: ["regret", "regret-seeds"],
  full: FULL,
  quick: QUICK,
  plot,
  render: (results, cfg, quick, plots) => {
    const links = plots.filter(Boolean).map((p) => `- [${basename(p)}](${p})`);
    const figures = links.length
      ? `\n\nLR-finder curves (seed 0) with the suggestions and the grid oracle marked, as in the main study:\n\n${links.join("\n")}`
      : "";
    return `${report(results, designTasks(), cfg, quick)}${figures}`;
  },
});
