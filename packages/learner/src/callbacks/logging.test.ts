import { Writable } from "node:stream";
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { initBackend } from "../backend.js";
import type { DataLoaders } from "../data/index.js";
import type { Learner } from "../learner.js";
import { type RegModel, synthLearner } from "../testing.js";
import { formatCell } from "./logger.js";
import { Progress } from "./progress.js";

beforeAll(async () => {
  await initBackend();
});

const open: Learner<RegModel, DataLoaders>[] = [];
afterEach(() => {
  for (const l of open.splice(0)) {
    l.dispose();
    l.dls.dispose();
  }
});

function learner() {
  const learn = synthLearner({ nTrn: 3, nVal: 1 });
  open.push(learn);
  return learn;
}

/** A stream that keeps what is written; `isTTY` as given. */
function sink(isTTY: boolean): Writable & { isTTY: boolean; text: () => string } {
  const chunks: string[] = [];
  const s = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  }) as Writable & { isTTY: boolean; text: () => string };
  s.isTTY = isTTY;
  s.text = () => chunks.join("");
  return s;
}

describe("epoch table", () => {
  test("the header and one row per epoch go through learn.logger, formatted", async () => {
    const learn = learner();
    const rows: string[][] = [];
    learn.logger = (cells) => rows.push([...cells]);
    await learn.fit(2);
    const rec = learn.recorder;
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual(["epoch", "train_loss", "valid_loss", "time"]);
    for (const [e, row] of rows.slice(1).entries()) {
      expect(row[0]).toBe(String(e));
      expect(row.slice(1, 3)).toEqual(rec?.values[e]?.map((v) => v.toFixed(6)));
      expect(row[3]).toMatch(/^\d\d:\d\d$/);
    }
  });

  test("formatCell: integers as is, other numbers with 6 decimals, strings untouched", () => {
    expect(formatCell(3)).toBe("3");
    expect(formatCell(0.1234567)).toBe("0.123457");
    expect(formatCell("00:01")).toBe("00:01");
  });
});

describe("noLogging", () => {
  test("swaps the logger for a no-op and hides progress, restoring both on success and on throw", async () => {
    const learn = learner();
    const rows: unknown[] = [];
    const logger = (cells: readonly string[]) => rows.push(cells);
    learn.logger = logger;
    const inside = await learn.noLogging(async () => {
      await learn.fit(1);
      return [learn.silent, learn.logger === logger];
    });
    expect(inside).toEqual([true, false]);
    expect(rows).toEqual([]);
    expect(learn.logger).toBe(logger);
    expect(learn.silent).toBe(false);
    await expect(
      learn.noLogging(() => {
        throw new Error("inside");
      }),
    ).rejects.toThrow("inside");
    expect(learn.logger).toBe(logger);
    expect(learn.silent).toBe(false);
    await learn.fit(1);
    expect(rows).toHaveLength(2);
  });
});

describe("Progress", () => {
  const savedCI = process.env.CI;
  afterEach(() => {
    if (savedCI === undefined) delete process.env.CI;
    else process.env.CI = savedCI;
  });

  test("shows on a TTY outside CI only, never inside noLogging", async () => {
    const learn = learner();
    delete process.env.CI;
    expect(new Progress({ stream: sink(true) }).enabled(learn)).toBe(true);
    expect(new Progress({ stream: sink(false) }).enabled(learn)).toBe(false);
    process.env.CI = "true";
    expect(new Progress({ stream: sink(true) }).enabled(learn)).toBe(false);
    expect(new Progress({ stream: sink(false), force: true }).enabled(learn)).toBe(true);
    await learn.noLogging(() => {
      expect(new Progress({ stream: sink(true), force: true }).enabled(learn)).toBe(false);
    });
  });

  test("draws a bar per phase when enabled, nothing when silent or not a TTY", async () => {
    const learn = learner();
    learn.logger = () => {};
    learn.removeCbs(learn.cbs.filter((cb) => cb instanceof Progress));
    const shown = sink(false);
    const bar = new Progress({ stream: shown, force: true });
    learn.addCbs([bar]);
    await learn.fit(1);
    expect(shown.text()).toMatch(/epoch 1\/1 train .*3\/3 batches/);
    expect(shown.text()).toMatch(/valid .*1\/1 batches/);

    const quiet = sink(false);
    learn.removeCbs([bar]).addCbs([new Progress({ stream: quiet })]);
    await learn.fit(1);
    await learn.noLogging(() => learn.fit(1));
    expect(quiet.text()).toBe("");
  });
});
