/** One benchmark figure, printed as one JSON line by `npm run bench`. */
export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  /** A reference figure measured in the same run (e.g. raw SQLite inserts next to our append). */
  baseline?: { name: string; value: number; unit: string };
  /** Goal from the issue, when there is one, for a quick read of the output. */
  goal?: string;
  [extra: string]: unknown;
}

export type Emit = (figure: BenchFigure) => void;

/** A benchmark module under bench/ exports `run`. */
export interface BenchModule {
  run(emit: Emit, options: { quick: boolean }): Promise<void>;
}
