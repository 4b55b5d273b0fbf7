/**
 * What a benchmark gives back: the exit code it asks for and, once it got as far as measuring, its numbers
 * (those its report prints), which `switchyard bench <name> --json` prints.
 */
export interface BenchOutcome<R> {
  exitCode: number;
  result?: R;
}

/** A measurement as JSON carries it: NaN or infinite (nothing measured, a ratio to zero) become null. */
export function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
