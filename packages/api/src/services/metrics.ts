import { Gauge, Registry } from "prom-client";

import type { WharfDeps } from "../deps";
import { metrics } from "../lib/metrics";

/** The exposition text: this process's observations plus the states read now (hosts by status, SSH reconnects). */
export async function metricsExposition(deps: WharfDeps): Promise<{ contentType: string; text: string }> {
  const states = new Registry();
  const hosts = new Gauge({ name: "wharf_hosts", help: "Hosts by status", labelNames: ["status"], registers: [states] });
  const reconnects = new Gauge({ name: "wharf_ssh_reconnects", help: "SSH connections this process made to replace one that dropped", registers: [states] });
  const byStatus = await deps.db.host.groupBy({ by: ["status"], _count: { _all: true } });
  for (const row of byStatus) hosts.set({ status: row.status.toLowerCase() }, row._count._all);
  reconnects.set(deps.ssh.stats().reconnects);
  const merged = Registry.merge([metrics.registry, states]);
  return { contentType: merged.contentType, text: await merged.metrics() };
}
