import { defineConfig } from "vitest/config";

// Three tiers by file name: *.test.ts (unit), *.integration.test.ts (real
// Postgres and sandbox hosts), e2e/ (Playwright, run separately).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["apps/**/*.test.ts", "packages/**/*.test.ts"],
          exclude: ["**/node_modules/**", "**/*.integration.test.ts"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["apps/**/*.integration.test.ts", "packages/**/*.integration.test.ts"],
          exclude: ["**/node_modules/**"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
