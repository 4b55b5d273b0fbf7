import type { ChatFailure, ChatSuccess } from '@switchyard/contracts';
import { parseExposition, sumOf } from './exposition';
import { METRICS } from './metric-catalogue';
import { DecisionMetrics, JobMetrics, ProviderMetrics, RecordMetrics, RequestMetrics } from './recorders';
import { ServiceMetrics } from './service-metrics';

const scrape = async (metrics: ServiceMetrics) => parseExposition(await metrics.exposition());

const success = (over: Partial<ChatSuccess['decision']> = {}) =>
  ({
    ok: true,
    model: 'gpt-4o-mini',
    decision: { method: 'rule', rule: 'greeting', ...over },
  }) as unknown as ChatSuccess;

describe(RequestMetrics.name, () => {
  describe('answered', () => {
    it('counts an answer by door, model, method, rule, arm and ok', async () => {
      const metrics = new ServiceMetrics();
      const sut = new RequestMetrics(metrics);
      sut.answered('http-openai', success(), 0);
      sut.answered('http-openai', success({ canaryArm: 'candidate' }), 0);
      const scraped = await scrape(metrics);
      expect(scraped.get(METRICS.requests.name)?.samples.map((s) => s.labels)).toEqual([
        {
          door: 'http-openai',
          model: 'gpt-4o-mini',
          method: 'rule',
          rule: 'greeting',
          canary_arm: 'none',
          outcome: 'ok',
        },
        {
          door: 'http-openai',
          model: 'gpt-4o-mini',
          method: 'rule',
          rule: 'greeting',
          canary_arm: 'candidate',
          outcome: 'ok',
        },
      ]);
      expect(sumOf(scraped, `${METRICS.requestDuration.name}_count`, { door: 'http-openai', outcome: 'ok' })).toBe(2);
    });

    it('counts a failure by its error code, with none for what was never decided, and no duration unless timed', async () => {
      const metrics = new ServiceMetrics();
      const sut = new RequestMetrics(metrics);
      const failure: ChatFailure = { ok: false, error: { code: 'invalid_json', message: 'x' } };
      sut.answered('nats', failure);
      const scraped = await scrape(metrics);
      expect(sumOf(scraped, METRICS.requests.name, { door: 'nats', model: 'none', outcome: 'invalid_json' })).toBe(1);
      expect(sumOf(scraped, `${METRICS.requestDuration.name}_count`)).toBe(0);
    });
  });

  it('creates no family before its first use', async () => {
    const metrics = new ServiceMetrics();
    new RequestMetrics(metrics);
    expect((await scrape(metrics)).size).toBe(0);
  });
});

describe(DecisionMetrics.name, () => {
  describe('decided', () => {
    it('times decisions by method and outcome and remembers the tenant', async () => {
      const metrics = new ServiceMetrics();
      const sut = new DecisionMetrics(metrics);
      sut.decided('acme', 'rule', 'ok', performance.now());
      sut.decided('beta', 'none', 'all_quotas_exhausted', performance.now());
      const scraped = await scrape(metrics);
      const count = `${METRICS.decisionDuration.name}_count`;
      expect(sumOf(scraped, count, { method: 'rule', outcome: 'ok' })).toBe(1);
      expect(sumOf(scraped, count, { outcome: 'all_quotas_exhausted' })).toBe(1);
      expect(sut.tenants.list()).toEqual(['acme', 'beta']);
    });
  });
});

describe(ProviderMetrics.name, () => {
  describe('tried', () => {
    it('times every try and counts failed ones by status', async () => {
      const metrics = new ServiceMetrics();
      const sut = new ProviderMetrics(metrics);
      sut.tried('openai', 'gpt-4o', performance.now());
      sut.tried('openai', 'gpt-4o', performance.now(), '429');
      const scraped = await scrape(metrics);
      const count = `${METRICS.providerCallDuration.name}_count`;
      expect(sumOf(scraped, count, { provider: 'openai', model: 'gpt-4o' })).toBe(2);
      expect(sumOf(scraped, count, { outcome: 'error' })).toBe(1);
      expect(sumOf(scraped, METRICS.providerErrors.name, { model: 'gpt-4o', status: '429' })).toBe(1);
    });
  });

  describe('paid', () => {
    it('adds cost by model and tenant and tokens by direction', async () => {
      const metrics = new ServiceMetrics();
      const sut = new ProviderMetrics(metrics);
      sut.paid('gpt-4o', 'acme', 0.25, { inputTokens: 10, outputTokens: 4 });
      sut.paid('gpt-4o', 'acme', 0.5, { inputTokens: 1, outputTokens: 0 });
      const scraped = await scrape(metrics);
      expect(sumOf(scraped, METRICS.cost.name, { model: 'gpt-4o', tenant: 'acme' })).toBeCloseTo(0.75);
      expect(sumOf(scraped, METRICS.tokens.name, { direction: 'input' })).toBe(11);
      expect(sumOf(scraped, METRICS.tokens.name, { direction: 'output' })).toBe(4);
    });

    it('keeps the tenant label bounded when callers pick tenant names', async () => {
      const metrics = new ServiceMetrics();
      const sut = new ProviderMetrics(metrics);
      for (let i = 0; i < 1005; i++) sut.paid('m', `t${i}`, 1, { inputTokens: 0, outputTokens: 0 });
      const scraped = await scrape(metrics);
      expect(scraped.get(METRICS.cost.name)?.samples).toHaveLength(1001);
      expect(sumOf(scraped, METRICS.cost.name, { tenant: 'other' })).toBe(5);
    });
  });
});

describe(RecordMetrics.name, () => {
  it('counts stored events by kind and result', async () => {
    const metrics = new ServiceMetrics();
    const sut = new RecordMetrics(metrics);
    sut.stored('completion', 'created');
    sut.stored('completion', 'duplicate');
    sut.stored('feedback', 'attached');
    const scraped = await scrape(metrics);
    expect(sumOf(scraped, METRICS.recordsStored.name, { kind: 'completion' })).toBe(2);
    expect(sumOf(scraped, METRICS.recordsStored.name, { kind: 'feedback', result: 'attached' })).toBe(1);
  });
});

describe(JobMetrics.name, () => {
  it('counts job outcomes and times the ones that ran', async () => {
    const metrics = new ServiceMetrics();
    const sut = new JobMetrics(metrics);
    sut.ended('retrain', 'completed', 12);
    sut.ended('retrain', 'stalled');
    const scraped = await scrape(metrics);
    expect(sumOf(scraped, METRICS.optimizerJobs.name, { job: 'retrain' })).toBe(2);
    expect(sumOf(scraped, `${METRICS.optimizerJobDuration.name}_sum`, { job: 'retrain' })).toBe(12);
  });
});
