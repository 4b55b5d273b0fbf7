import { join } from 'node:path';
import type { CompletionSucceeded } from '@switchyard/contracts';
import { findWorkspaceRoot } from '@switchyard/launcher';
import {
  MONGO_CONNECT_OPTIONS,
  OptimizerReportRepository,
  PolicyVersionRepository,
  RollupRepository,
  RoutingRecordRepository,
  SuggestionRepository,
} from '@switchyard/persistence';
import { mongoUriFor, uniqueName } from '@switchyard/testing';
import mongoose, { type Connection } from 'mongoose';
import { type OptimizerConfig, optimizerEnvSchema } from '../config';
import { RunOptimizer } from './run-optimizer.usecase';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
// Half past midnight: the day of traffic before it is a whole closed day, recounted into hourly and daily rows.
const NOW = Date.UTC(2026, 10, 21, 0, 30);

// Runs against the real MongoDB-wire server: records in, rollups recounted, review, suggestions, report.
describe(RunOptimizer.name, () => {
  let connection: Connection;
  let records: RoutingRecordRepository;
  let rollups: RollupRepository;
  let reports: OptimizerReportRepository;
  let suggestions: SuggestionRepository;
  let sut: RunOptimizer;
  let config: OptimizerConfig;
  /** What the records say, for checking the review's sample sizes. */
  const expected = { sonnetLabelled: 0, gpt4oLabelled: 0, codeRequests: 0, total: 0 };

  function completion(i: number, model: string, method: 'rule' | 'explore', hoursAgo: number): CompletionSucceeded {
    const at = NOW - hoursAgo * HOUR;
    return {
      requestId: `r-${i}`,
      tenant: i % 4 === 0 ? 'beta' : 'acme',
      receivedAt: at - 500,
      completedAt: at,
      prompt: 'Please implement a function',
      decision: {
        plan: { kind: 'single', model },
        method,
        reason: 'test',
        params: {},
        policyVersion: 'default@1',
        alternatives: [model],
        rule: 'code_generation',
        ...(method === 'explore' ? { propensity: 0.1 } : {}),
      },
      attempts: [{ model, provider: 'simulated', ok: true, latencyMs: 400 }],
      model,
      provider: 'simulated',
      answer: 'a',
      finishReason: 'stop',
      usage: { inputTokens: 100, outputTokens: 200, estimated: false },
      costUsd: model === 'gpt-4o' ? 0.00225 : 0.0033,
      latency: { totalMs: 420, routingMs: 2, providerMs: 400 },
    };
  }

  beforeAll(async () => {
    connection = await mongoose
      .createConnection(mongoUriFor(uniqueName('optimizer')), MONGO_CONNECT_OPTIONS)
      .asPromise();
    records = new RoutingRecordRepository(connection);
    rollups = new RollupRepository(connection);
    reports = new OptimizerReportRepository(connection);
    suggestions = new SuggestionRepository(connection);
    const policies = new PolicyVersionRepository(connection);
    await Promise.all([records, rollups, reports, suggestions, policies].map((r) => r.ensureIndexes()));
    config = optimizerEnvSchema.parse({
      RECONCILE_HOURS: '48',
      POLICY_FILE: join(findWorkspaceRoot(__dirname), 'policies', 'default.yaml'),
    });
    sut = new RunOptimizer(records, rollups, reports, suggestions, policies, config);

    // A day of code_generation traffic: claude-3-sonnet, the rule's model, satisfies 40% of the time;
    // gpt-4o, seen on explored traffic, 90%. Some requests carry no feedback.
    for (let i = 0; i < 150; i++) {
      const explored = i % 6 === 0;
      const model = explored ? 'gpt-4o' : 'claude-3-sonnet';
      await records.upsertCompletion(completion(i, model, explored ? 'explore' : 'rule', 1 + (i % 23)));
      expected.codeRequests++;
      if (i % 5 === 4) continue; // unlabelled
      const good = explored ? i % 60 !== 0 : i % 5 < 2;
      const event = completion(i, model, 'rule', 0);
      await records.attachFeedback(event.tenant, event.requestId, {
        feedbackId: `f-${i}`,
        success: good,
        submittedAt: new Date(NOW - HOUR),
      });
      if (explored) expected.gpt4oLabelled++;
      else expected.sonnetLabelled++;
    }
    expected.total = expected.codeRequests;
  }, 120_000);

  afterAll(async () => {
    await connection.dropDatabase();
    await connection.close();
  });

  it('recounts the rollups from the records, finds the worse model with its sample sizes, and stores it all', async () => {
    const { reportId, body } = await sut.execute({ jobId: 'job-1@1', days: 7, now: NOW });
    // The rollups were empty: the recount of the closed hours put every record in.
    expect(body.reconcile).toMatchObject({ records: expected.total, requestsAdded: expected.total });
    expect(body.total.requests).toBe(expected.total);
    expect(body.byTenant.map((g) => g.key.tenant).sort()).toEqual(['acme', 'beta']);

    expect(body.review.suggestions).toHaveLength(1);
    const [s] = body.review.suggestions;
    expect(s).toMatchObject({
      target: { kind: 'rule', name: 'code_generation' },
      reason: 'better',
      currentModel: 'claude-3-sonnet',
      suggestedModel: 'gpt-4o',
      current: { labelled: expected.sonnetLabelled },
      suggested: { labelled: expected.gpt4oLabelled },
    });
    expect(s.deltaQualityCi[0]).toBeGreaterThan(0);
    expect(s.deltaCostPerRequestUsd).toBeCloseTo(0.00225 - 0.0033, 10);
    expect(body.review.unmatchedRules).toEqual(['greeting', 'financial_analysis']);
    expect(body.policyVersion).toBe('default@1');

    expect(await suggestions.list({ status: 'open' })).toEqual([
      expect.objectContaining({ suggestionId: `${reportId}.1`, suggestedModel: 'gpt-4o', policyVersion: 'default@1' }),
    ]);
    expect(await reports.findByReportId(reportId)).toMatchObject({ kind: 'optimizer', windowDays: 7 });
  });

  it('corrects nothing the second time; a retried run writes once; a later run supersedes open suggestions', async () => {
    await sut.execute({ jobId: 'job-2@1', days: 7, now: NOW });
    const { body } = await sut.execute({ jobId: 'job-2@1', days: 7, now: NOW + 1000 });
    expect(body.reconcile).toMatchObject({ corrected: 0, requestsAdded: 0 });
    expect(await connection.collection('optimizer_reports').countDocuments({ reportId: 'job-2@1' })).toBe(1);
    expect((await suggestions.list({ status: 'open' })).map((s) => s.suggestionId)).toEqual(['job-2@1.1']);
    expect((await suggestions.list({ status: 'superseded' })).map((s) => s.suggestionId)).toEqual(['job-1@1.1']);
  });

  it('marks a suggestion applied once', async () => {
    const applied = { policyVersion: 'default@1+job-2@1.1', canaryPercent: 10, at: new Date(NOW), by: 'test' };
    expect(await suggestions.markApplied('job-2@1.1', applied)).toBe(true);
    expect(await suggestions.markApplied('job-2@1.1', applied)).toBe(false);
    expect(await suggestions.findById('job-2@1.1')).toMatchObject({
      status: 'applied',
      applied: { canaryPercent: 10 },
    });
  });

  it('removes the routed text of records older than PROMPT_RETENTION_DAYS, and reports how many', async () => {
    // Three records (of tenant acme) of 40 days ago next to the day of traffic (all younger than a day), retention 30 days.
    for (let i = 0; i < 3; i++) await records.upsertCompletion(completion(1001 + i, 'gpt-4o', 'rule', 40 * 24));
    const { reportId, body } = await sut.execute({ jobId: 'job-3@1', days: 7, now: NOW });
    const before = new Date(NOW - 30 * DAY).toISOString();
    expect(body.promptRetention).toEqual({ days: 30, before, cleared: 3 });
    expect(await reports.findByReportId(reportId)).toMatchObject({ body: { promptRetention: { cleared: 3 } } });
    expect(await records.findByRequestId('acme', 'r-1001')).not.toHaveProperty('prompt');
    expect(await records.findByRequestId('acme', 'r-1001')).toMatchObject({ model: 'gpt-4o' });
    expect(await records.findByRequestId('acme', 'r-1')).toMatchObject({ prompt: 'Please implement a function' });
    // Retention 0 keeps every text and says nothing of it.
    const keep = new RunOptimizer(
      records,
      rollups,
      reports,
      suggestions,
      new PolicyVersionRepository(connection),
      optimizerEnvSchema.parse({ RECONCILE_HOURS: '0', PROMPT_RETENTION_DAYS: '0', POLICY_FILE: config.POLICY_FILE }),
    );
    await records.upsertCompletion(completion(1005, 'gpt-4o', 'rule', 40 * 24));
    const kept = await keep.execute({ jobId: 'job-4@1', days: 7, now: NOW });
    expect(kept.body).not.toHaveProperty('promptRetention');
    expect(await records.findByRequestId('acme', 'r-1005')).toHaveProperty('prompt');
  });
});
