/**
 * The regret study again on the small tabular tasks with 10 seeds instead of 3: with 3 seeds their
 * oracle's standard error is 4–45% of itself (RESULTS.md, "What limits any suggestion here"), larger
 * than the 15% the goal allows, so part of what the main table calls regret there is noise.
 * Same protocol (`lib/regret-study.ts`), more seeds; the section combines these tasks with the other
 * tasks' figures from the last full `pnpm bench regret` (results/regret.json).
 */
import {
  GOAL,
  goalLine,
  HEADLINE_FUNCS,
  methodLabel,
  oracleRelativeSe,
  quickStudy,
  type RegretConfig,
  readStudy,
  regretOf,
  regretSuite,
  regretSummary,
  type TaskRegret,
  tenSeedStudy,
} from "../lib/regret-study.js";
import { pct, sci } from "../lib/stats.js";
import { table } from "../results.js";

const FULL = tenSeedStudy(["breast_cancer", "wine", "diabetes"]);
const QUICK = quickStudy("wine");

/** The section's markdown. */
export function report(results: TaskRegret[], main: TaskRegret[], cfg: RegretConfig, quick: boolean): string {
  const methods = results[0]?.methods.map((m) => m.name) ?? [];
  const others = main.filter((m) => !results.some((r) => r.task === m.task));
  const combined = [...others, ...results];
  return [
    ...(quick
      ? [
          `**Quick run** (\`--quick\`): ${results.map((r) => r.task).join(", ")}, ${cfg.grid.length} grid LRs, ${cfg.seeds.length} seeds: a smoke test, not the result. Run \`pnpm bench regret-seeds\` for the study.`,
          "",
        ]
      : []),
    `Why: with 3 seeds the oracle of the small tabular tasks is noisy (its standard error is a large part of a 15% regret). Here the study of the "LR suggestion regret" section runs again on ${results.map((r) => r.task).join(", ")} with ${cfg.seeds.length} seeds (${cfg.seeds[0]}…${cfg.seeds.at(-1)}), the same grid (${cfg.grid.length} LRs, ${sci(cfg.grid[0] as number)} … ${sci(cfg.grid.at(-1) as number)}), the same budgets and the same suggestion functions, alone, ×${cfg.repeats} and on the validation curve.`,
    "",
    table(
      [
        "task",
        "oracle lr (grid)",
        "oracle valid loss",
        "s.e. / oracle, these seeds",
        "s.e. / oracle, 3 seeds (main study)",
      ],
      results.map((r) => {
        const m = main.find((x) => x.task === r.task);
        return [
          r.task,
          sci(r.oracle.lr) + (r.oracle.atEdge ? " (grid edge!)" : ""),
          r.oracle.loss.toFixed(4),
          `${(100 * oracleRelativeSe(r)).toFixed(0)}%`,
          m ? `${(100 * oracleRelativeSe(m)).toFixed(0)}%` : "—",
        ];
      }),
    ),
    "",
    `Regret with ${cfg.seeds.length} seeds on these tasks${others.length ? `, and median / worst over all ${combined.length} tasks with the other ${others.length} (${others.map((o) => o.task).join(", ")}) from the last full \`pnpm bench regret\`` : ""}:`,
    "",
    table(
      [
        "suggestion",
        ...results.map((r) => r.task),
        ...(others.length ? ["median (all tasks)", "worst (all tasks)"] : ["median", "worst"]),
      ],
      methods.map((name) => {
        const s = regretSummary(combined, name);
        return [methodLabel(name), ...results.map((r) => pct(regretOf(r, name))), pct(s.med), pct(s.worst)];
      }),
    ),
    "",
    `Goal (median ≤ ${GOAL.median * 100}%, worst ≤ ${GOAL.worst * 100}%) with these figures:`,
    "",
    ...HEADLINE_FUNCS.filter((n) => methods.includes(n)).map((n) => goalLine(combined, n)),
    "",
    `The seeds here change the weights and the batch order, not the split: each task keeps the main study's 80/20 split. The section "LR suggestion regret with 10 seeds and a split per seed" also draws a new split per seed.`,
  ].join("\n");
}

export default regretSuite({
  name: "regret-seeds",
  title: "LR suggestion regret on the small tabular tasks, with 10 seeds",
  after: ["regret"],
  full: FULL,
  quick: QUICK,
  render: (results, cfg, quick) => report(results, quick ? [] : readStudy("regret"), cfg, quick),
});
