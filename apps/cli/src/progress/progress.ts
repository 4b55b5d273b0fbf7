/** `[########··········]  42%  3/7`: a bar for `done` of `total`, or an empty bar when the total is unknown. */
export function renderBar(done: number, total: number | undefined, width = 24): string {
  if (total === undefined || total <= 0) return `[${'·'.repeat(width)}]`;
  const share = Math.min(Math.max(done / total, 0), 1);
  const full = Math.round(share * width);
  return `[${'#'.repeat(full)}${'·'.repeat(width - full)}] ${String(Math.floor(share * 100)).padStart(3)}%  ${done}/${total}`;
}

export interface ProgressSink {
  write(text: string): void;
  /** A terminal: the bar is redrawn in place. Otherwise each stage is printed once, when it starts. */
  isTTY?: boolean;
}

/**
 * Progress of a long command, stage by stage, with the seconds since it started. On a terminal the current
 * stage's bar is redrawn in place (at most every `minIntervalMs`) and kept when the stage ends; in a log
 * (CI, a pipe) each stage is one line, so logs stay short.
 */
export class Progress {
  private stage: string | undefined;
  private lastDraw = 0;
  private readonly started: number;

  constructor(
    private readonly sink: ProgressSink,
    private readonly now: () => number = Date.now,
    private readonly minIntervalMs = 100,
  ) {
    this.started = now();
  }

  /** Reports `done` of `total` in `stage`; a new stage ends the previous one. */
  update(stage: string, done?: number, total?: number): void {
    const t = this.now();
    const isNew = stage !== this.stage;
    if (isNew && this.stage !== undefined && this.sink.isTTY) this.sink.write('\n');
    this.stage = stage;
    if (!this.sink.isTTY) {
      if (isNew) this.sink.write(`${this.line(stage, t)}\n`);
      return;
    }
    const finished = total !== undefined && done !== undefined && done >= total;
    if (!isNew && !finished && t - this.lastDraw < this.minIntervalMs) return;
    this.lastDraw = t;
    const bar = done === undefined ? '' : `  ${renderBar(done, total)}`;
    this.sink.write(`\r\x1b[2K${this.line(stage, t)}${bar}`);
  }

  /** Ends the last stage's line. */
  done(): void {
    if (this.stage !== undefined && this.sink.isTTY) this.sink.write('\n');
    this.stage = undefined;
  }

  private line(stage: string, t: number): string {
    return `  ${((t - this.started) / 1000).toFixed(1).padStart(6)} s  ${stage}`;
  }
}
