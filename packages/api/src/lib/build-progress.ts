/**
 * Reads BuildKit's plain progress (what `docker compose build` prints without
 * a TTY): `#N [service k/n] INSTRUCTION` opens step N, `#N CACHED` marks it
 * as taken from cache, `#N DONE 0.4s` ends it, `#N ERROR: ...` fails it, and
 * the export step says `writing image sha256:...` and `naming to <tag>`.
 * A build's summary, its images and its failing step come from these lines alone.
 */
export interface BuildStep {
  /** `app 2/3`, as BuildKit names it; null for internal steps (loading the Dockerfile, context transfer). */
  label: string | null;
  instruction: string;
  cached: boolean;
  error: string | null;
}

const OPENS = /^#(\d+) \[([^\]]+)\] (.+)$/;
const INTERNAL = /^#(\d+) \[internal\] /;
const CACHED = /^#(\d+) CACHED$/;
const ERROR = /^#(\d+) ERROR: (.+)$/;
const WRITING = /^#(\d+) writing image (sha256:[0-9a-f]{64})/;
const NAMING = /^#(\d+) naming to (\S+)/;
/** A counted step of a build stage (`[app 2/3]`), not `[internal] ...` or a stage alias without a count. */
const COUNTED = /^\S+ \d+\/\d+$|^\d+\/\d+$/;

export class BuildProgress {
  private readonly steps = new Map<string, BuildStep>();
  private readonly images = new Map<string, { id: string | null; names: string[] }>();

  observe(line: string): void {
    const text = line.trimEnd();
    if (INTERNAL.test(text)) return;
    const opened = OPENS.exec(text);
    if (opened?.[1] && opened[2] && opened[3]) {
      if (!this.steps.has(opened[1])) this.steps.set(opened[1], { label: COUNTED.test(opened[2]) ? opened[2] : null, instruction: opened[3], cached: false, error: null });
      return;
    }
    const cached = CACHED.exec(text);
    const cachedStep = cached?.[1] ? this.steps.get(cached[1]) : undefined;
    if (cachedStep) {
      cachedStep.cached = true;
      return;
    }
    const written = WRITING.exec(text);
    if (written?.[1] && written[2]) {
      this.imageOf(written[1]).id = written[2];
      return;
    }
    const named = NAMING.exec(text);
    if (named?.[1] && named[2]) {
      this.imageOf(named[1]).names.push(named[2]);
      return;
    }
    const failed = ERROR.exec(text);
    const failedStep = failed?.[1] ? this.steps.get(failed[1]) : undefined;
    if (failedStep && failed?.[2]) failedStep.error = failed[2];
  }

  private imageOf(step: string): { id: string | null; names: string[] } {
    let image = this.images.get(step);
    if (!image) this.images.set(step, (image = { id: null, names: [] }));
    return image;
  }

  /** The images the build wrote: their id and the tags they got. */
  builtImages(): { id: string; names: string[] }[] {
    return [...this.images.values()].flatMap((image) => (image.id === null ? [] : [{ id: image.id, names: image.names }]));
  }

  /** The counted steps seen so far, in the order they opened. */
  countedSteps(): BuildStep[] {
    return [...this.steps.values()].filter((step) => step.label !== null);
  }

  /** The first step that failed: its name, its instruction and BuildKit's error. */
  failure(): { step: string; instruction: string; error: string } | null {
    for (const step of this.steps.values()) if (step.error !== null) return { step: step.label ?? "setup", instruction: step.instruction, error: step.error };
    return null;
  }

  /** One line for the job's output: how many steps the build had and how many came from cache. */
  summary(): string | null {
    const steps = this.countedSteps();
    if (steps.length === 0) return null;
    const cached = steps.filter((step) => step.cached).length;
    return `Build steps: ${steps.length}, ${cached} of them from cache.`;
  }
}
