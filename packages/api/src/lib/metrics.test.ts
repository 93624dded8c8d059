import parsePrometheusTextFormat from "parse-prometheus-text-format";
import { describe, expect, it } from "vitest";

import { countedLogStream, metrics, observeJob, timeAgentCall } from "./metrics";

async function* lines() {
  yield await Promise.resolve(1);
  yield 2;
}

describe("metrics", () => {
  it("exposes jobs, agent call latency and open log streams in a format a Prometheus parser reads", async () => {
    observeJob("DEPLOY", "SUCCEEDED", 1.5);
    observeJob("DEPLOY", "FAILED", 12);
    await timeAgentCall("hello", () => Promise.resolve("ok"));
    await expect(timeAgentCall("composePs", () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    const stream = countedLogStream(lines());
    await stream.next();
    const text = await metrics.registry.metrics();
    const families = parsePrometheusTextFormat(text);
    const family = (name: string) => families.find((f) => f.name === name);

    expect(family("wharf_jobs_total")).toMatchObject({ type: "COUNTER" });
    expect(family("wharf_jobs_total")?.metrics).toEqual(
      expect.arrayContaining([
        { labels: { action: "DEPLOY", result: "SUCCEEDED" }, value: "1" },
        { labels: { action: "DEPLOY", result: "FAILED" }, value: "1" },
      ]),
    );
    const durations = family("wharf_job_duration_seconds");
    expect(durations?.type).toBe("HISTOGRAM");
    // This parser keeps a histogram's buckets (not its labels): the 12 s job is above the 10 s bucket, within the 30 s one.
    expect(durations?.metrics).toEqual(expect.arrayContaining([expect.objectContaining({ buckets: expect.objectContaining({ "10": "0", "30": "1" }) as unknown })]));
    expect(family("wharf_agent_call_duration_seconds")?.type).toBe("HISTOGRAM");
    expect(text).toMatch(/^wharf_agent_call_duration_seconds_count\{method="hello",outcome="ok"\} 1$/m);
    expect(text).toMatch(/^wharf_agent_call_duration_seconds_count\{method="composePs",outcome="error"\} 1$/m);
    expect(family("wharf_log_streams_open")?.metrics).toEqual([{ value: "1" }]);
    await stream.return();
    expect(parsePrometheusTextFormat(await metrics.registry.metrics()).find((f) => f.name === "wharf_log_streams_open")?.metrics).toEqual([{ value: "0" }]);
  });
});
