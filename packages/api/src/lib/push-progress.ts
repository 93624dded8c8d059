import { formatSize, type ImagePushData } from "@wharf/agent-protocol";

type LayerEvent = Extract<ImagePushData, { kind: "layer" }>;

/**
 * Turns the engine's per-layer push progress into job output: one line per
 * layer and state it reaches (pushing with its size, pushed, or skipped
 * because the registry holds it), not one per byte count update.
 */
export class PushProgress {
  private readonly states = new Map<string, LayerEvent["state"]>();
  private readonly sizes = new Map<string, number>();

  line(event: LayerEvent): string | null {
    if (event.totalBytes !== undefined && event.totalBytes > 0) this.sizes.set(event.id, event.totalBytes);
    if (this.states.get(event.id) === event.state) return null;
    this.states.set(event.id, event.state);
    const size = this.sizes.get(event.id);
    const bytes = size === undefined ? "" : ` (${formatSize(size)})`;
    switch (event.state) {
      case "preparing":
      case "waiting":
        return null;
      case "pushing":
        return `Layer ${event.id}: pushing${bytes}…`;
      case "pushed":
        return `Layer ${event.id}: pushed${bytes}.`;
      case "exists":
        return `Layer ${event.id}: already in the registry, skipped.`;
      case "mounted":
        return `Layer ${event.id}: mounted from another repository of the registry, skipped.`;
    }
  }

  /** How many layers went up and how many the registry already held. */
  summary(): string {
    const states = [...this.states.values()];
    const pushed = states.filter((state) => state === "pushed").length;
    const skipped = states.filter((state) => state === "exists" || state === "mounted").length;
    return `${states.length} layer(s): ${pushed} pushed, ${skipped} already in the registry.`;
  }
}
