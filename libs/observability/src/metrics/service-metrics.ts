import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { METRICS, type MetricDefinition } from './metric-catalogue';
import { ScrapeSampler } from './scrape-sampler';

/** Sets one gauge series in a sample: the gauge, its labels and its value. */
export type PutSample = <L extends string>(
  metric: MetricDefinition<L>,
  labels: Partial<Record<L, string>>,
  value: number,
) => void;

interface ProcessMetrics {
  owner: ServiceMetrics;
  registry: Registry;
}

// Shared through globalThis, not a module variable: in a co-located process every service is its own bundle
// (its own copy of this file) while prom-client, outside the bundles, is loaded once.
const PROCESS_KEY = Symbol.for('switchyard.metrics.process');
type ProcessHolder = { [PROCESS_KEY]?: ProcessMetrics };

/**
 * The metrics of one service app: a registry of its own (not prom-client's global one), so services sharing
 * a process (`switchyard serve --services all`, each its own Nest app and port) never register a name twice
 * and each port serves only its service's series. The process metrics (CPU, memory, event loop, GC) are
 * collected once per process, in a registry of their own, and served by the first service app that claims
 * them: summed over a pod's ports they would otherwise count the process several times.
 */
export class ServiceMetrics implements OnApplicationShutdown {
  private readonly logger = new Logger(ServiceMetrics.name);
  readonly registry = new Registry();
  private readonly families = new Map<string, Counter | Gauge | Histogram>();
  private readonly failing = new Set<string>();
  private readonly samplers: Array<() => Promise<void>> = [];

  /** A stand-in for code run outside a service app (unit tests, tools): counts into a registry nobody serves. */
  static detached(): ServiceMetrics {
    return new ServiceMetrics();
  }

  /** Adds the process metrics to this app's output unless another app of the process already serves them. */
  claimProcessMetrics(): boolean {
    const holder = globalThis as ProcessHolder;
    if (holder[PROCESS_KEY]) return holder[PROCESS_KEY].owner === this;
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    holder[PROCESS_KEY] = { owner: this, registry };
    return true;
  }

  counter<L extends string>(def: MetricDefinition<L>): Counter<L> {
    return this.family(def, 'counter', () => new Counter<L>({ ...base(def), registers: [this.registry] }));
  }

  histogram<L extends string>(def: MetricDefinition<L>): Histogram<L> {
    return this.family(
      def,
      'histogram',
      () => new Histogram<L>({ ...base(def), buckets: [...(def.buckets ?? [])], registers: [this.registry] }),
    );
  }

  gauge<L extends string>(def: MetricDefinition<L>): Gauge<L> {
    return this.family(def, 'gauge', () => new Gauge<L>({ ...base(def), registers: [this.registry] }));
  }

  /**
   * Gauges whose values are read when Prometheus scrapes (a ScrapeSampler: one read per scrape, at most
   * `timeoutMs`). `read` puts every series it has; series it does not put are gone from that scrape on. A
   * read that fails or times out leaves the gauges empty for that scrape and counts in
   * switchyard_metrics_sample_failures_total{sampler}.
   */
  sampled(
    sampler: string,
    defs: ReadonlyArray<MetricDefinition>,
    read: (put: PutSample) => Promise<void>,
    timeoutMs = 1000,
  ): void {
    const failures = this.counter(METRICS.sampleFailures).labels({ sampler });
    const gauges = new Map<string, Gauge>();
    for (const def of defs) {
      if (def.kind !== 'gauge') throw new Error(`${def.name} is a ${def.kind}; only gauges are sampled`);
      gauges.set(def.name, this.gauge(def));
    }
    const taker = new ScrapeSampler(async () => {
      const staged: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
      await read((def, labels, value) =>
        staged.push({ name: def.name, labels: labels as Record<string, string>, value }),
      );
      return staged;
    }, timeoutMs);
    // Run before the registry is read (not as prom-client collect callbacks, which run beside the other
    // metrics' reads): a failure is counted in the same scrape that misses the gauges.
    this.samplers.push(async () => {
      const result = await taker.sample();
      for (const g of gauges.values()) g.reset();
      if (!result.ok) {
        failures.inc();
        if (!this.failing.has(sampler))
          this.logger.warn(
            `metrics sample "${sampler}" failed: ${result.error.message} (logged once until it recovers)`,
          );
        this.failing.add(sampler);
        return;
      }
      this.failing.delete(sampler);
      for (const s of result.value) gauges.get(s.name)?.set(s.labels, s.value);
    });
  }

  /** The exposition text of this app's metrics (and the process's, if this app serves them). */
  async exposition(): Promise<string> {
    await Promise.all(this.samplers.map((refresh) => refresh()));
    const own = await this.registry.metrics();
    const proc = (globalThis as ProcessHolder)[PROCESS_KEY];
    if (proc?.owner !== this) return own;
    return `${own}${own.endsWith('\n') || own === '' ? '' : '\n'}${await proc.registry.metrics()}`;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  onApplicationShutdown(): void {
    // Another app of the process (or the next one a test starts) may serve them from now on.
    const holder = globalThis as ProcessHolder;
    if (holder[PROCESS_KEY]?.owner === this) {
      holder[PROCESS_KEY].registry.clear();
      delete holder[PROCESS_KEY];
    }
  }

  private family<T extends Counter | Gauge | Histogram>(
    def: MetricDefinition,
    kind: MetricDefinition['kind'],
    create: () => T,
  ): T {
    if (def.kind !== kind) throw new Error(`${def.name} is a ${def.kind}, not a ${kind}`);
    let family = this.families.get(def.name);
    if (!family) {
      family = create();
      this.families.set(def.name, family);
    }
    return family as T;
  }
}

function base<L extends string>(def: MetricDefinition<L>): { name: string; help: string; labelNames: L[] } {
  return { name: def.name, help: def.help, labelNames: [...def.labelNames] };
}
