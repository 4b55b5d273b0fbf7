import { performance } from 'node:perf_hooks';
import { Injectable } from '@nestjs/common';
import type { ChatReply, Usage } from '@switchyard/contracts';
import type { Counter, Histogram } from 'prom-client';
import { ChildCache, LabelGuard, NONE, RecentSet } from './label-guard';
import { METRICS } from './metric-catalogue';
import { ServiceMetrics } from './service-metrics';

// Recorders: the few calls the services make on their paths, each with its label values from bounded sets and
// its label children resolved once. Every family is created on first use, so a service's /metrics shows the
// metrics that service records and no empty families of the others (all recorders are available in every app).
// Nothing here awaits: recording is a Map lookup and an addition.

/** The ways into Switchyard: the OpenAI-style and Anthropic-style HTTP APIs and the public NATS subject. */
export const DOORS = ['http-openai', 'http-anthropic', 'nats'] as const;
export type Door = (typeof DOORS)[number];

/** Seconds since `startedAt`, a performance.now() reading. */
export function secondsSince(startedAt: number): number {
  return (performance.now() - startedAt) / 1000;
}

/** ingress: every chat request answered, by door, route and outcome. */
@Injectable()
export class RequestMetrics {
  private readonly models = new LabelGuard(200);
  private readonly rules = new LabelGuard(200);
  private counts: ChildCache<Counter.Internal> | undefined;
  private durations: ChildCache<Histogram.Internal<string>> | undefined;

  constructor(private readonly metrics: ServiceMetrics) {}

  static detached(): RequestMetrics {
    return new RequestMetrics(ServiceMetrics.detached());
  }

  /** `startedAt` (performance.now()) when the request reached the use case: its duration is observed too. */
  answered(door: Door, reply: ChatReply, startedAt?: number): void {
    this.counts ??= childrenOf(this.metrics.counter(METRICS.requests));
    this.durations ??= childrenOf(this.metrics.histogram(METRICS.requestDuration));
    const labels = reply.ok
      ? [
          door,
          this.models.value(reply.model),
          reply.decision.method,
          this.rules.value(reply.decision.rule),
          reply.decision.canaryArm ?? NONE,
          'ok',
        ]
      : [door, NONE, NONE, NONE, NONE, reply.error.code];
    this.counts.get(labels).inc();
    if (startedAt !== undefined) this.durations.get([door, reply.ok ? 'ok' : 'error']).observe(secondsSince(startedAt));
  }
}

/** decision-engine: how long routing took, by method and outcome. */
@Injectable()
export class DecisionMetrics {
  private durations: ChildCache<Histogram.Internal<string>> | undefined;
  /** Tenants this replica routed lately (for the budget gauges sampled on scrape). */
  readonly tenants = new RecentSet(200);

  constructor(private readonly metrics: ServiceMetrics) {}

  static detached(): DecisionMetrics {
    return new DecisionMetrics(ServiceMetrics.detached());
  }

  /** `outcome`: `ok`, or the error code that refused the request (quota, budget, rate limit...). */
  decided(tenant: string, method: string, outcome: string, startedAt: number): void {
    this.durations ??= childrenOf(this.metrics.histogram(METRICS.decisionDuration));
    this.durations.get([method, outcome]).observe(secondsSince(startedAt));
    this.tenants.add(tenant);
  }
}

/** provider-adapters: each try of a model call, its failures, and what answered calls cost. */
@Injectable()
export class ProviderMetrics {
  private readonly models = new LabelGuard(200);
  private readonly tenants = new LabelGuard(1000);
  private readonly statuses = new LabelGuard(50, 32);
  private durations: ChildCache<Histogram.Internal<string>> | undefined;
  private errors: ChildCache<Counter.Internal> | undefined;
  private costs: ChildCache<Counter.Internal> | undefined;
  private tokens: ChildCache<Counter.Internal> | undefined;

  constructor(private readonly metrics: ServiceMetrics) {}

  static detached(): ProviderMetrics {
    return new ProviderMetrics(ServiceMetrics.detached());
  }

  /** One try ended; `status` (failures only): the provider's HTTP status or a class of failure. */
  tried(provider: string, model: string, startedAt: number, status?: string): void {
    this.durations ??= childrenOf(this.metrics.histogram(METRICS.providerCallDuration));
    const m = this.models.value(model);
    this.durations.get([provider, m, status === undefined ? 'ok' : 'error']).observe(secondsSince(startedAt));
    if (status === undefined) return;
    this.errors ??= childrenOf(this.metrics.counter(METRICS.providerErrors));
    this.errors.get([provider, m, this.statuses.value(status)]).inc();
  }

  /** A call answered: what it cost the tenant, and its tokens. */
  paid(model: string, tenant: string, costUsd: number, usage: Pick<Usage, 'inputTokens' | 'outputTokens'>): void {
    this.costs ??= childrenOf(this.metrics.counter(METRICS.cost));
    this.tokens ??= childrenOf(this.metrics.counter(METRICS.tokens));
    const m = this.models.value(model);
    if (costUsd > 0) this.costs.get([m, this.tenants.value(tenant)]).inc(costUsd);
    if (usage.inputTokens > 0) this.tokens.get([m, 'input']).inc(usage.inputTokens);
    if (usage.outputTokens > 0) this.tokens.get([m, 'output']).inc(usage.outputTokens);
  }
}

/** What became of an answer the judge was asked to grade (see METRICS.judgeGrades). */
export const JUDGE_OUTCOMES = [
  'graded',
  'unparsable',
  'failed',
  'timeout',
  'quota',
  'cooling',
  'store_down',
  'busy',
] as const;
export type JudgeOutcome = (typeof JUDGE_OUTCOMES)[number];

/** provider-adapters: the judge's gradings, by judge model and outcome (its calls' cost is in ProviderMetrics). */
@Injectable()
export class JudgeMetrics {
  private readonly models = new LabelGuard(200);
  private counts: ChildCache<Counter.Internal> | undefined;

  constructor(private readonly metrics: ServiceMetrics) {}

  static detached(): JudgeMetrics {
    return new JudgeMetrics(ServiceMetrics.detached());
  }

  judged(model: string, outcome: JudgeOutcome): void {
    this.counts ??= childrenOf(this.metrics.counter(METRICS.judgeGrades));
    this.counts.get([this.models.value(model), outcome]).inc();
  }
}

/** feedback-aggregator: events written. */
@Injectable()
export class RecordMetrics {
  private counts: ChildCache<Counter.Internal> | undefined;

  constructor(private readonly metrics: ServiceMetrics) {}

  static detached(): RecordMetrics {
    return new RecordMetrics(ServiceMetrics.detached());
  }

  stored(
    kind: 'completion' | 'feedback' | 'label',
    result: 'created' | 'duplicate' | 'attached' | 'held' | 'kept',
  ): void {
    this.counts ??= childrenOf(this.metrics.counter(METRICS.recordsStored));
    this.counts.get([kind, result]).inc();
  }
}

/** rule-optimizer: how its BullMQ jobs end. */
@Injectable()
export class JobMetrics {
  private readonly jobs = new LabelGuard(50);
  private counts: ChildCache<Counter.Internal> | undefined;
  private durations: ChildCache<Histogram.Internal<string>> | undefined;

  constructor(private readonly metrics: ServiceMetrics) {}

  static detached(): JobMetrics {
    return new JobMetrics(ServiceMetrics.detached());
  }

  /** `seconds`: the attempt's run time, when it ran (a stalled job's is unknown). */
  ended(job: string, outcome: 'completed' | 'failed' | 'retried' | 'stalled', seconds?: number): void {
    this.counts ??= childrenOf(this.metrics.counter(METRICS.optimizerJobs));
    const name = this.jobs.value(job);
    this.counts.get([name, outcome]).inc();
    if (seconds === undefined) return;
    this.durations ??= childrenOf(this.metrics.histogram(METRICS.optimizerJobDuration));
    this.durations.get([name]).observe(seconds);
  }
}

function childrenOf<T>(family: { labels(...values: string[]): T }): ChildCache<T> {
  return new ChildCache((values) => family.labels(...values));
}
