import { parseExposition, sumOf } from './exposition';
import { METRICS } from './metric-catalogue';
import { ServiceMetrics } from './service-metrics';

describe(ServiceMetrics.name, () => {
  const apps: ServiceMetrics[] = [];
  const app = () => {
    const m = new ServiceMetrics();
    apps.push(m);
    return m;
  };
  afterEach(() => apps.splice(0).forEach((m) => m.onApplicationShutdown()));

  describe('counter', () => {
    it('gives each app its own registry: two apps of one process register the same metric apart', async () => {
      const a = app();
      const b = app();
      a.counter(METRICS.recordsStored).inc({ kind: 'completion', result: 'created' }, 2);
      b.counter(METRICS.recordsStored).inc({ kind: 'completion', result: 'created' });
      expect(sumOf(parseExposition(await a.exposition()), METRICS.recordsStored.name)).toBe(2);
      expect(sumOf(parseExposition(await b.exposition()), METRICS.recordsStored.name)).toBe(1);
    });

    it('returns the same family when asked again, and refuses a definition of another kind', () => {
      const sut = app();
      expect(sut.counter(METRICS.recordsStored)).toBe(sut.counter(METRICS.recordsStored));
      expect(() => sut.gauge(METRICS.recordsStored)).toThrow(/is a counter, not a gauge/);
    });
  });

  describe('claimProcessMetrics', () => {
    it('serves the process metrics from the first app that claims them only, until it shuts down', async () => {
      const a = app();
      const b = app();
      expect(a.claimProcessMetrics()).toBe(true);
      expect(b.claimProcessMetrics()).toBe(false);
      expect(a.claimProcessMetrics()).toBe(true);
      expect(parseExposition(await a.exposition()).has('process_cpu_user_seconds_total')).toBe(true);
      expect(parseExposition(await b.exposition()).has('process_cpu_user_seconds_total')).toBe(false);
      a.onApplicationShutdown();
      expect(b.claimProcessMetrics()).toBe(true);
      expect(parseExposition(await b.exposition()).has('nodejs_eventloop_lag_seconds')).toBe(true);
    });
  });

  describe('sampled', () => {
    it('reads once per scrape for all the gauges of a sampler, and drops the series a read leaves out', async () => {
      const sut = app();
      const read = jest
        .fn()
        .mockImplementationOnce(async (put) => {
          put(METRICS.modelQuotaDaily, { model: 'a' }, 100);
          put(METRICS.modelQuotaRemaining, { model: 'a' }, 60);
          put(METRICS.modelQuotaRemaining, { model: 'b' }, 5);
        })
        .mockImplementationOnce(async (put) => put(METRICS.modelQuotaRemaining, { model: 'a' }, 59));
      sut.sampled('quotas', [METRICS.modelQuotaRemaining, METRICS.modelQuotaDaily], read);

      const first = parseExposition(await sut.exposition());
      expect(read).toHaveBeenCalledTimes(1);
      expect(first.get(METRICS.modelQuotaRemaining.name)?.samples).toEqual([
        { name: METRICS.modelQuotaRemaining.name, labels: { model: 'a' }, value: 60 },
        { name: METRICS.modelQuotaRemaining.name, labels: { model: 'b' }, value: 5 },
      ]);
      expect(sumOf(first, METRICS.modelQuotaDaily.name, { model: 'a' })).toBe(100);

      const second = parseExposition(await sut.exposition());
      expect(read).toHaveBeenCalledTimes(2);
      expect(second.get(METRICS.modelQuotaRemaining.name)?.samples).toEqual([
        { name: METRICS.modelQuotaRemaining.name, labels: { model: 'a' }, value: 59 },
      ]);
      expect(second.get(METRICS.modelQuotaDaily.name)?.samples).toEqual([]);
    });

    it('leaves the gauges empty and counts the failure when a read fails, and the scrape still answers', async () => {
      const sut = app();
      sut.sampled('records-consumer', [METRICS.consumerPending], async (put) => {
        put(METRICS.consumerPending, { stream: 's', consumer: 'c' }, 3);
        throw new Error('no responders');
      });
      const scraped = parseExposition(await sut.exposition());
      expect(scraped.get(METRICS.consumerPending.name)?.samples).toEqual([]);
      expect(sumOf(scraped, METRICS.sampleFailures.name, { sampler: 'records-consumer' })).toBe(1);
    });

    it('gives up on a read that takes longer than its timeout', async () => {
      const sut = app();
      sut.sampled('optimizer-queue', [METRICS.optimizerQueueJobs], () => new Promise(() => undefined), 10);
      const scraped = parseExposition(await sut.exposition());
      expect(sumOf(scraped, METRICS.sampleFailures.name, { sampler: 'optimizer-queue' })).toBe(1);
    });

    it('refuses to sample what is not a gauge', () => {
      expect(() => app().sampled('x', [METRICS.requests], async () => undefined)).toThrow(/only gauges/);
    });
  });
});
