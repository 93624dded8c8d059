/**
 * Every bench part records its figures here; `npm run bench` ends with one
 * table of all of them: the figure, its target, and whether it was met.
 */
export interface BenchFigure {
  part: string;
  name: string;
  value: number;
  unit: string;
  /** Met when value <= max (ratios, latencies, memory) or >= min (throughput). */
  target?: { max: number } | { min: number };
}

const figures: BenchFigure[] = [];

export function recordFigure(figure: BenchFigure): void {
  figures.push(figure);
}

export function figureMet(figure: BenchFigure): boolean | null {
  if (!figure.target) return null;
  return "max" in figure.target ? figure.value <= figure.target.max : figure.value >= figure.target.min;
}

function formatValue(value: number, unit: string): string {
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${unit === "x" ? "x" : ` ${unit}`}`;
}

function formatTarget(figure: BenchFigure): string {
  if (!figure.target) return "-";
  return "max" in figure.target ? `<= ${formatValue(figure.target.max, figure.unit)}` : `>= ${formatValue(figure.target.min, figure.unit)}`;
}

/** The closing table, one row per recorded figure. */
export function renderFigureTable(rows: readonly BenchFigure[] = figures): string {
  const table = rows.map((figure) => {
    const met = figureMet(figure);
    return [figure.part, figure.name, formatValue(figure.value, figure.unit), formatTarget(figure), met === null ? "-" : met ? "met" : "NOT MET"];
  });
  const header = ["part", "figure", "value", "target", "met"];
  const widths = header.map((title, column) => Math.max(title.length, ...table.map((row) => row[column]?.length ?? 0)));
  const line = (cells: string[]): string => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join("  ").trimEnd();
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...table.map(line)].join("\n");
}
