/** Longest a batch may wait for company (`GroupCommit` lingerMs). */
export const MAX_LINGER_MS = 1000;

/** Per-operation failures of a batch, by the operation's index in it. */
export type BatchFailures = ReadonlyMap<number, Error>;

/** What a batch write did: its per-operation failures, and what each other operation resulted in, by index. */
export interface BatchOutcome<R> {
  failures: BatchFailures;
  results: ReadonlyMap<number, R>;
}

/**
 * Group commit: writes submitted while a batch is being written go out together in the next one. Under
 * load many writes then cost one round trip and one bulk write; alone, a write goes out at once (no timer,
 * so no latency is added when there is nothing to group). Each caller's promise settles with its own
 * operation: a per-operation failure rejects only that caller, a failed batch rejects every caller in it,
 * and callers who acknowledge work only after their promise resolves keep their durability. Two operations
 * on the same key never share a batch: the later one waits for the next, so writes to one document keep
 * their order (and FerretDB, which stalls on two upserts of one new `_id` in one bulk write, never sees it).
 *
 * `lingerMs` (0: none) trades a little delay for fewer writes when operations come one at a time: a batch
 * that would go out with fewer than `maxBatch` operations waits that long after its first one for company
 * (Kafka's `linger.ms`), and goes at once when it fills. For writes whose callers have what they need
 * already (a consumer acking a durable event once it is stored), not for a caller waiting on the answer.
 */
export class GroupCommit<Op, R = void> {
  private readonly queue: Array<{ op: Op; resolve: (result: R | undefined) => void; reject: (err: Error) => void }> =
    [];
  private writing = false;
  private lingering: ReturnType<typeof setTimeout> | undefined;

  /**
   * `writeBatch` returns the batch's failures, or its failures and a result per operation (what `submit`
   * resolves with; undefined for an operation without one).
   */
  constructor(
    private readonly writeBatch: (ops: Op[]) => Promise<BatchFailures | BatchOutcome<R>>,
    private readonly keyOf: (op: Op) => string,
    private readonly maxBatch = 256,
    private readonly lingerMs = 0,
  ) {
    if (!(maxBatch >= 1)) throw new Error(`maxBatch must be at least 1, got ${maxBatch}`);
    if (!(lingerMs >= 0 && lingerMs <= MAX_LINGER_MS))
      throw new Error(`lingerMs must be between 0 and ${MAX_LINGER_MS}, got ${lingerMs}`);
  }

  submit(op: Op): Promise<R | undefined> {
    return new Promise<R | undefined>((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      if (this.lingering !== undefined && this.queue.length >= this.maxBatch) this.stopLingering();
      if (this.writing) return;
      this.writing = true;
      if (this.lingerMs > 0 && this.queue.length < this.maxBatch)
        this.lingering = setTimeout(() => this.stopLingering(), this.lingerMs);
      else void this.drain();
    });
  }

  /** Ends a linger: the batch goes out now. */
  private stopLingering(): void {
    clearTimeout(this.lingering);
    this.lingering = undefined;
    void this.drain();
  }

  /** The oldest queued operations, at most one per key and `maxBatch` in all; the rest stay queued in order. */
  private nextBatch(): typeof this.queue {
    const batch: typeof this.queue = [];
    const keys = new Set<string>();
    const left: typeof this.queue = [];
    for (const entry of this.queue) {
      const key = this.keyOf(entry.op);
      if (batch.length < this.maxBatch && !keys.has(key)) {
        keys.add(key);
        batch.push(entry);
      } else left.push(entry);
    }
    this.queue.splice(0, this.queue.length, ...left);
    return batch;
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.nextBatch();
        let outcome: BatchFailures | BatchOutcome<R>;
        try {
          outcome = await this.writeBatch(batch.map((b) => b.op));
        } catch (err) {
          for (const b of batch) b.reject(err instanceof Error ? err : new Error(String(err)));
          continue;
        }
        const { failures, results } =
          outcome instanceof Map ? { failures: outcome, results: undefined } : (outcome as BatchOutcome<R>);
        batch.forEach((b, i) => {
          const failure = failures.get(i);
          if (failure) b.reject(failure);
          else b.resolve(results?.get(i));
        });
      }
    } finally {
      this.writing = false;
    }
  }
}
