import { Injectable, Logger } from '@nestjs/common';
import { type ArmSample, canaryVerdict, labelOf } from '@switchyard/analytics';
import { type CanaryVerdict, SUBJECTS } from '@switchyard/contracts';
import { EventPublisher } from '@switchyard/messaging';
import { LearningRunRepository, RouterModelRepository, RoutingRecordRepository } from '@switchyard/persistence';
import { type CompiledPolicy, DEFAULT_COST_WEIGHT, afterCanary, compilePolicy } from '@switchyard/routing';
import { parse } from 'yaml';
import { PolicyRelease } from './policy-release';

export interface CanaryCheckResult {
  policyVersion: string;
  /** `none`: no canary with an automatic verdict runs. */
  verdict: 'none' | 'wait' | 'promote' | 'rollback';
  reason: string;
  publishedVersion?: string;
}

/**
 * The canary's automatic verdict: compares the two arms' records (each arm's policy version), and when the
 * candidate is clearly worse rolls it back, when it has served enough without being worse promotes it to all
 * traffic; either way the new policy is published, the router's status and the run's verdict stored, and
 * router.canary.verdict.v1 announced.
 */
@Injectable()
export class CanaryCheck {
  private readonly logger = new Logger(CanaryCheck.name);

  constructor(
    private readonly records: RoutingRecordRepository,
    private readonly models: RouterModelRepository,
    private readonly runs: LearningRunRepository,
    private readonly release: PolicyRelease,
    private readonly publisher: EventPublisher,
  ) {}

  async execute(): Promise<CanaryCheckResult> {
    const inForce = await this.release.inForce();
    const document = parse(inForce.yaml) as Record<string, unknown>;
    const policy = compilePolicy(document);
    const canary = policy.document.canary;
    if (!canary?.auto || !canary.candidate)
      return { policyVersion: policy.version, verdict: 'none', reason: 'no canary with an automatic verdict runs' };
    const candidate = compilePolicy(canary.candidate);

    const arms = new Map<string, ArmSample & { inputTokens: number; outputTokens: number; succeeded: number }>();
    for (const version of [policy.version, candidate.version]) arms.set(version, emptyArm());
    for await (const record of this.records.armSource([policy.version, candidate.version])) {
      const arm = arms.get(record.decision?.policyVersion ?? '');
      if (!arm) continue;
      arm.requests++;
      if (record.status === 'succeeded') {
        const cost = record.costUsd ?? 0;
        arm.costUsdSum += cost;
        arm.costUsdSq += cost * cost;
        arm.succeeded++;
        arm.inputTokens += record.usage?.inputTokens ?? 0;
        arm.outputTokens += record.usage?.outputTokens ?? 0;
      }
      const label = labelOf(record);
      if (label) {
        arm.labelled++;
        arm.qualitySum += label.quality;
        arm.qualitySq += label.quality * label.quality;
      }
    }
    const control = arms.get(policy.version) as ArmSample & {
      inputTokens: number;
      outputTokens: number;
      succeeded: number;
    };
    const trial = arms.get(candidate.version) as typeof control;
    const costWeight = canary.auto.costWeight ?? candidate.document.learned?.costWeight ?? DEFAULT_COST_WEIGHT;
    const result = canaryVerdict(control, trial, {
      ...canary.auto,
      costWeight,
      costScale: dearestCost(candidate, control, trial),
    });
    if (result.verdict === 'wait') return { policyVersion: policy.version, verdict: 'wait', reason: result.reason };

    const next = afterCanary(document, result.verdict);
    const publishedVersion = await this.release.publish(next, `rule-optimizer canary ${result.verdict}`);
    const decidedAt = new Date();
    const modelVersion = candidate.document.learned?.model;
    if (modelVersion) {
      await this.models.setStatus(modelVersion, result.verdict === 'promote' ? 'promoted' : 'rejected', result.reason);
      await this.runs.recordVerdict(modelVersion, {
        verdict: result.verdict,
        reason: result.reason,
        decidedAt,
        publishedVersion,
      });
    }
    const event: CanaryVerdict = {
      policyVersion: policy.version,
      candidateVersion: candidate.version,
      verdict: result.verdict,
      reason: result.reason,
      decidedAt: decidedAt.getTime(),
      control: { ...result.control },
      candidate: { ...result.candidate },
      publishedVersion,
    };
    this.publisher.publish(SUBJECTS.canaryVerdict, event);
    this.logger.log(`canary ${candidate.version}: ${result.verdict} (${result.reason}); ${publishedVersion} in force`);
    return { policyVersion: policy.version, verdict: result.verdict, reason: result.reason, publishedVersion };
  }
}

function emptyArm() {
  return {
    requests: 0,
    costUsdSum: 0,
    costUsdSq: 0,
    labelled: 0,
    qualitySum: 0,
    qualitySq: 0,
    inputTokens: 0,
    outputTokens: 0,
    succeeded: 0,
  };
}

/**
 * The cost unit of the utility: what the dearest model of the candidate would cost on the arms' average
 * request (mean tokens in and out), the scale the learned router weighs cost on.
 */
function dearestCost(
  policy: CompiledPolicy,
  ...arms: ReadonlyArray<{ inputTokens: number; outputTokens: number; succeeded: number }>
): number {
  const n = arms.reduce((s, a) => s + a.succeeded, 0);
  const input = arms.reduce((s, a) => s + a.inputTokens, 0) / Math.max(n, 1);
  const output = arms.reduce((s, a) => s + a.outputTokens, 0) / Math.max(n, 1);
  let dearest = 0;
  for (const m of policy.models.values())
    dearest = Math.max(dearest, (input * m.priceUsdPerMTok.input + output * m.priceUsdPerMTok.output) / 1e6);
  return dearest > 0 ? dearest : 1e-12;
}
