/// <reference lib="dom" />
/**
 * The Logs tab under a million lines: feeds the real page (tRPC client,
 * buffer, virtualized list) with synthetic batches through a stand-in
 * EventSource, then reports frame times while they arrive, scroll and search
 * responsiveness once they are in, and the JS heap.
 *
 *   npx tsx e2e/bench/log-view.bench.ts <stack page URL> <email> <password> [lines] [lines per second]
 *
 * The stack must target at least one host (the tab needs one to pick); no
 * request reaches it: the log stream is replaced in the page.
 */
import path from "node:path";

import { chromium } from "@playwright/test";
import { percentile } from "@wharf/testing/stats";

import { SCREENSHOTS } from "../fixtures/wharf";

const [url, email, password, linesArg = "1000000", rateArg = "50000"] = process.argv.slice(2);
if (!url || !email || !password) {
  console.error("usage: log-view.bench.ts <stack page URL> <email> <password> [lines] [lines per second]");
  process.exit(2);
}
const total = Number(linesArg);
const perSecond = Number(rateArg);

/** Runs in the page before its scripts: log subscriptions get synthetic batches, shaped as the server sends them. */
function installFakeLogStream({ total, perSecond }: { total: number; perSecond: number }): void {
  const Real = window.EventSource;
  const services = ["web", "worker", "db"];
  const stats = { sent: 0, done: false, startedAt: 0, endedAt: 0 };
  Object.assign(window, { __logBench: stats });

  class FakeEventSource extends EventTarget {
    static readonly CONNECTING = 0;
    static readonly OPEN = 1;
    static readonly CLOSED = 2;
    readonly CONNECTING = 0;
    readonly OPEN = 1;
    readonly CLOSED = 2;
    readyState = 1;
    readonly withCredentials = false;
    private timer: ReturnType<typeof setInterval> | null = null;

    constructor(readonly url: string) {
      super();
      setTimeout(() => {
        this.dispatchEvent(new MessageEvent("connected", { data: "{}" }));
        stats.startedAt = performance.now();
        const tick = 10;
        let carry = 0;
        this.timer = setInterval(() => {
          carry += (perSecond * tick) / 1000;
          while (carry >= 1 && stats.sent < total) {
            // Server events hold up to 200 lines of one container.
            const size = Math.min(200, Math.floor(carry), total - stats.sent);
            const service = services[Math.floor(stats.sent / 200) % services.length] ?? "web";
            const base = Date.now();
            const lines = Array.from({ length: size }, (_, index) => {
              const n = stats.sent + index;
              const at = new Date(base).toISOString().replace("Z", `${String(n % 1000).padStart(3, "0")}Z`);
              const needle = n % 50_000 === 0 ? " needle" : "";
              return { stream: n % 97 === 0 ? "stderr" : "stdout", at, line: `${service} line ${n} request id=${(n * 2654435761) % 4294967296} took ${n % 300} ms${needle}` };
            });
            const event = { service, container: `bench-${service}-1`, containerId: `${service}-id`, lines, cursor: String(stats.sent + size) };
            this.dispatchEvent(new MessageEvent("message", { data: JSON.stringify({ json: event }), lastEventId: event.cursor }));
            stats.sent += size;
            carry -= size;
          }
          if (stats.sent >= total && this.timer) {
            clearInterval(this.timer);
            this.timer = null;
            stats.done = true;
            stats.endedAt = performance.now();
          }
        }, tick);
      }, 50);
    }

    close(): void {
      if (this.timer) clearInterval(this.timer);
      this.readyState = 2;
    }
  }

  const Patched = function (this: unknown, target: string | URL, init?: EventSourceInit) {
    return String(target).includes("stack.logs") ? new FakeEventSource(String(target)) : new Real(target, init);
  } as unknown as typeof EventSource;
  Object.assign(Patched, { CONNECTING: 0, OPEN: 1, CLOSED: 2 });
  window.EventSource = Patched;

  // Every frame's duration, and long tasks, from the start.
  const frames: number[] = [];
  const longTasks: number[] = [];
  let last = performance.now();
  const loop = (now: number) => {
    frames.push(now - last);
    last = now;
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  new PerformanceObserver((list) => list.getEntries().forEach((entry) => longTasks.push(entry.duration))).observe({ entryTypes: ["longtask"] });
  Object.assign(window, { __frames: frames, __longTasks: longTasks });
}

const round = (value: number): number => Math.round(value * 10) / 10;

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--enable-precise-memory-info", "--js-flags=--expose-gc"],
});
const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
page.setDefaultTimeout(120_000);
page.on("crash", () => console.error("the page crashed"));
page.on("pageerror", (error) => console.error("page error:", error.message));
await page.goto(new URL("/signin", url).toString());
await page.getByLabel("Email").fill(email);
await page.getByLabel("Password").fill(password);
await page.getByRole("button", { name: "Sign in" }).click();
await page.waitForURL((current) => !current.pathname.startsWith("/signin"));

// tsx compiles this file with esbuild's keepNames: functions sent to the page call its __name helper.
await page.addInitScript("globalThis.__name = (target) => target;");
await page.addInitScript(installFakeLogStream, { total, perSecond });
const target = new URL(url);
target.searchParams.set("tab", "logs");
await page.goto(target.toString());
await page.getByRole("log").first().waitFor();
// Frames from here on: the page's own load is not the log view's doing.
await page.evaluate(() => {
  const w = window as unknown as { __frames: number[]; __longTasks: number[] };
  w.__frames.length = 0;
  w.__longTasks.length = 0;
});

// Ingestion: until every line is sent and shown in the counter.
await page.waitForFunction(() => (window as unknown as { __logBench: { done: boolean } }).__logBench.done, undefined, { timeout: 600_000, polling: 500 });
await page.waitForTimeout(1_000);
const ingestion = await page.evaluate(() => {
  const w = window as unknown as { __frames: number[]; __longTasks: number[]; __logBench: { sent: number; startedAt: number; endedAt: number } };
  return { frames: w.__frames.slice(), longTasks: w.__longTasks.slice(), sent: w.__logBench.sent, seconds: (w.__logBench.endedAt - w.__logBench.startedAt) / 1000 };
});
const footer = await page.getByText(/lines received/).textContent();
await page.screenshot({ path: path.join(SCREENSHOTS, "stacks-logs-1m.png") });

// Scrolling: jumps to random places in the full buffer, time until the next frame is painted.
const scroll = await page.evaluate(async () => {
  const box = document.querySelector<HTMLElement>('[role="log"]');
  if (!box) return [];
  const times: number[] = [];
  for (let index = 0; index < 40; index++) {
    const start = performance.now();
    box.scrollTop = Math.random() * (box.scrollHeight - box.clientHeight);
    await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    times.push(performance.now() - start);
  }
  return times;
});
await page.screenshot({ path: path.join(SCREENSHOTS, "stacks-logs-1m-scrolled.png") });

// Search over the whole buffer: time until the match count shows.
const searchStart = Date.now();
await page.getByLabel("Search the logs").fill("needle");
await page.getByText(/^[\d,]+ match(es)?$|of [\d,]+$/).first().waitFor();
const searchMs = Date.now() - searchStart - 150; // minus the typing debounce
await page.getByLabel("Search the logs").press("Enter");
await page.waitForTimeout(300);
await page.screenshot({ path: path.join(SCREENSHOTS, "stacks-logs-1m-search.png") });

const heap = await page.evaluate(() => {
  (window as unknown as { gc?: () => void }).gc?.();
  return (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0;
});

const frames = ingestion.frames.filter((value) => value > 0);
console.log(
  JSON.stringify(
    {
      linesSent: ingestion.sent,
      ingestSeconds: round(ingestion.seconds),
      linesPerSecond: Math.round(ingestion.sent / ingestion.seconds),
      footer,
      frameMs: { count: frames.length, p50: round(percentile(frames, 50)), p95: round(percentile(frames, 95)), p99: round(percentile(frames, 99)), max: round(Math.max(...frames)) },
      framesOver50ms: frames.filter((value) => value > 50).length,
      longTasks: { count: ingestion.longTasks.length, max: round(Math.max(0, ...ingestion.longTasks)) },
      scrollToPaintMs: { p50: round(percentile(scroll, 50)), p95: round(percentile(scroll, 95)), max: round(Math.max(...scroll)) },
      searchMs,
      heapMB: round(heap / 1024 / 1024),
    },
    null,
    2,
  ),
);
await browser.close();
