/** More lines than this since the last render make a burst, rendered at most every BURST_RENDER_MS. */
export const BURST_LINES = 2_000;
export const BURST_RENDER_MS = 100;

export interface FrameState {
  now: number;
  /** When the list last rendered. */
  renderedAt: number;
  /** Lines put in the buffer since then. */
  linesSinceRender: number;
  /** Lines received from the stream since the previous frame. */
  arrivedSinceFrame: number;
}

/**
 * Whether this animation frame should let React render. During a burst,
 * renders are spaced out: each lays the view out again, and that time is
 * better spent taking in lines, which nobody can read at that speed anyway.
 * A frame in which nothing arrived ends the burst: it renders at once, so
 * the last line shows a frame after it came, not up to BURST_RENDER_MS later.
 */
export function renderDue({ now, renderedAt, linesSinceRender, arrivedSinceFrame }: FrameState): boolean {
  return linesSinceRender < BURST_LINES || arrivedSinceFrame === 0 || now - renderedAt >= BURST_RENDER_MS;
}
