import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { defineConfig } from "@playwright/test";

const here = path.dirname(fileURLToPath(import.meta.url));
const port = Number(process.env.WHARF_E2E_PORT ?? 3200);
const baseURL = `http://127.0.0.1:${port}`;
const databaseUrl = process.env.WHARF_E2E_DATABASE_URL ?? process.env.DATABASE_URL ?? "";
/** The test identity provider that tests/oidc.spec.ts starts; the server only reaches it when someone signs in through it. */
export const OIDC = {
  port: Number(process.env.WHARF_E2E_OIDC_PORT ?? port + 1000),
  clientId: "wharf-e2e",
  clientSecret: "wharf-e2e-client-secret",
  redirectUri: `${baseURL}/api/auth/callback/oidc`,
};

export default defineConfig({
  testDir: path.join(here, "tests"),
  outputDir: path.join(here, "..", "test-results", "e2e"),
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  reporter: [["list"], ["json"]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    command: "node apps/web/dist/server.mjs",
    cwd: path.join(here, ".."),
    url: `${baseURL}/api/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: "pipe",
    env: {
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      WHARF_PUBLIC_URL: baseURL,
      NEXTAUTH_URL: baseURL,
      WHARF_DATA_DIR: mkdtempSync(path.join(tmpdir(), "wharf-e2e-data-")),
      WHARF_MONITOR_INTERVAL_MS: "3000",
      WHARF_OIDC_ISSUER: `http://127.0.0.1:${OIDC.port}`,
      WHARF_OIDC_CLIENT_ID: OIDC.clientId,
      WHARF_OIDC_CLIENT_SECRET: OIDC.clientSecret,
      WHARF_OIDC_NAME: "Test identity provider",
      WHARF_OIDC_ROLE_MAP: "wharf-admins=admin,developers=deployer",
    },
  },
});
