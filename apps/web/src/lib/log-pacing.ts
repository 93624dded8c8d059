/**
 * More lines than this since the last render make a burst, rendered at most every BURST_RENDER_MS
 * (some 30,000 lines a second at 60 frames a second: more than anyone reads as they pass).
 */
export const BURST_LINES = 500;
export const BURST_RENDER_MS = 100;
/** A burst is over once nothing arrived for this long (a frame or two: lines come in several events per frame during one). */
export const BURST_QUIET_MS = 40;

export interface FrameState {
  now: number;
  /** When the list last rendered. */
  renderedAt: number;
  /** Lines put in the buffer since then. */
  linesSinceRender: number;
  /** When lines last arrived from the stream. */
  arrivedAt: number;
}

/**
 * Whether this animation frame should let React render. During a burst,
 * renders are spaced out: each lays the view out again, and that time is
 * better spent taking in lines, which nobody can read at that speed anyway.
 * BURST_QUIET_MS without new lines ends the burst: it renders at once, so the
 * last line shows soon after it came, not up to BURST_RENDER_MS later.
 */
export function renderDue({ now, renderedAt, linesSinceRender, arrivedAt }: FrameState): boolean {
  return linesSinceRender < BURST_LINES || now - renderedAt >= BURST_RENDER_MS || now - arrivedAt >= BURST_QUIET_MS;
}
