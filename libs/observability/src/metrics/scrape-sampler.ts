export type SampleResult<S> = { ok: true; value: S } | { ok: false; error: Error };

/**
 * A value read from elsewhere (Redis, JetStream, a queue) when Prometheus scrapes, with the work bounded:
 * the gauges of one sampler that a scrape collects together share one read; a read that takes longer than
 * `timeoutMs` fails the sample (the scrape goes on without those gauges); and while a read that timed out
 * is still running no other starts, so a slow dependency is never asked more than once at a time.
 */
export class ScrapeSampler<S> {
  private current: Promise<SampleResult<S>> | undefined;
  private running = false;

  constructor(
    private readonly read: () => Promise<S>,
    private readonly timeoutMs: number,
  ) {}

  sample(): Promise<SampleResult<S>> {
    if (this.current) return this.current;
    if (this.running)
      return Promise.resolve({ ok: false, error: new Error('the previous sample has not finished yet') });
    this.running = true;
    const work = (async () => this.read())().finally(() => (this.running = false));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<SampleResult<S>>((resolve) => {
      timer = setTimeout(
        () => resolve({ ok: false, error: new Error(`no answer in ${this.timeoutMs} ms`) }),
        this.timeoutMs,
      );
      timer.unref();
    });
    const result = Promise.race([
      work.then(
        (value): SampleResult<S> => ({ ok: true, value }),
        (err: unknown): SampleResult<S> => ({ ok: false, error: err instanceof Error ? err : new Error(String(err)) }),
      ),
      timeout,
    ]).finally(() => {
      clearTimeout(timer);
      this.current = undefined;
    });
    this.current = result;
    return result;
  }
}
