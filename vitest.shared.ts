import { defineConfig } from "vitest/config";

// Tests run from the siblings' sources: the "@sched/source" export condition points at src/*.ts.
export default defineConfig({
  resolve: { conditions: ["@sched/source", "module", "browser", "development|production"] },
  ssr: { resolve: { conditions: ["@sched/source", "module", "node", "development|production"] } },
  test: { pool: "forks", testTimeout: 60_000, hookTimeout: 60_000 },
});
