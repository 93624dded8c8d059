/**
 * The image page of an image with LAYERS filesystem layers (`npm run bench -- images`),
 * against sandbox host h1 and the production web server in Chromium: the API call
 * alone (`image.inspect`: history, layers and the layers shared across the host's
 * images), and navigation to the page until every layer's row is on screen. Median of RUNS.
 */
import { chromium } from "@playwright/test";
import type { WharfDeps } from "@wharf/api";

import { createTestUser } from "./api";
import { benchHost } from "./bench-footprint";
import { recordFigure } from "./bench-report";
import { dockerCli } from "./sandbox";
import { median } from "./stats";
import { buildTestImage } from "./test-images";
import { startWebServer } from "./web-server";

const LAYERS = 120;
const RUNS = 5;
const WEB_PORT = 3303;
const PASSWORD = "correct horse battery";

export async function imagePageFigures(deps: WharfDeps, databaseUrl: string): Promise<void> {
  const owner = await createTestUser(deps, { password: PASSWORD });
  const { hostId, host, stop: stopAgent } = await benchHost(deps, owner);
  const tag = `wharf-bench/layers-${Date.now().toString(36)}:1`;
  const label = `wharf.bench.layers=${tag}`;
  // COPY steps commit without running a container: LAYERS layers in seconds rather than minutes.
  const files = Object.fromEntries(Array.from({ length: LAYERS }, (_, index) => [`f${index}`, `layer ${index}\n`]));
  const started = performance.now();
  const id = buildTestImage(host, tag, [`LABEL ${label}`, ...Object.keys(files).map((name) => `COPY ${name} /layers/${name}`)], { files });
  process.stdout.write(`\nImage page of an image with ${LAYERS + 1} layers (h1; built in ${((performance.now() - started) / 1000).toFixed(1)} s)\n`);
  const server = await startWebServer({ databaseUrl, port: WEB_PORT, dataDir: deps.config.dataDir });
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  try {
    const api: number[] = [];
    let entries = 0;
    for (let run = 0; run < RUNS; run++) {
      const begin = performance.now();
      const detail = await owner.caller.image.inspect({ hostId, image: tag });
      api.push(performance.now() - begin);
      entries = detail.history.length;
      if (detail.layers.length < LAYERS) throw new Error(`the bench image has ${detail.layers.length} layers, expected ${LAYERS}+`);
    }
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    page.setDefaultTimeout(120_000);
    await page.goto(`${server.url}/signin`);
    await page.getByLabel("Email").fill(owner.email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((current) => !current.pathname.startsWith("/signin"));
    const rendered: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const begin = performance.now();
      await page.goto(`${server.url}/hosts/${hostId}/images/${id.replace(/^sha256:/, "")}`);
      await page.locator('[aria-label="Layers"] > li').nth(entries - 1).waitFor();
      rendered.push(performance.now() - begin);
    }
    const apiMs = median(api);
    const pageMs = median(rendered);
    process.stdout.write(`  image.inspect (${entries} history entries): median ${apiMs.toFixed(0)} ms\n  navigation to every layer on screen: median ${pageMs.toFixed(0)} ms\n`);
    recordFigure({ part: "images", name: `image.inspect, ${LAYERS}+ layers`, value: apiMs, unit: "ms" });
    recordFigure({ part: "images", name: `image page until ${LAYERS}+ layers shown`, value: pageMs, unit: "ms" });
  } finally {
    await browser.close();
    await server.stop();
    stopAgent();
    try {
      dockerCli(host, ["image", "prune", "-a", "-f", "--filter", `label=${label}`]);
    } catch {
      // Left for the leftovers report.
    }
  }
}
