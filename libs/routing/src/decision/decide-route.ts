import type { ChatRequest, Decision, Features, GenerationParams } from '@switchyard/contracts';
import { routingText } from '../features/extract-features';
import { type CompiledPolicy, resolveTarget } from '../policy/compile-policy';
import type { RouteTarget } from '../policy/policy.schema';
import { matchRule } from './match-rule';

export interface DecisionInput {
  request: ChatRequest;
  tenant: string;
  features: Features;
}

/**
 * The multi-level decision, in the seed's order: L1 rules (first match wins), then L2 difficulty bands,
 * then the policy default. Pure: the same input and policy give the same decision, so offline evaluation
 * replays exactly what decision-engine does.
 */
export function decideRoute(policy: CompiledPolicy, input: DecisionInput): Decision {
  const text = routingText(input.request.messages);
  const ruleInput = { request: input.request, tenant: input.tenant, text, lowerText: text.toLowerCase() };

  for (const compiled of policy.rules) {
    const why = matchRule(compiled, ruleInput);
    if (why === undefined) continue;
    const { rule } = compiled;
    return build(policy, input, rule.route, rule.params, 'rule', `rule "${rule.name}" matched (${why})`, rule.name);
  }

  const difficulty = policy.document.difficulty;
  if (difficulty?.enabled) {
    const d = input.features.difficulty;
    const band =
      difficulty.bands.find((b) => b.below === undefined || d < b.below) ??
      difficulty.bands[difficulty.bands.length - 1];
    const range = band.below === undefined ? `>= ${bandFloor(difficulty.bands, band)}` : `< ${band.below}`;
    return build(policy, input, band.route, band.params, 'difficulty', `difficulty ${d} in band ${range}`);
  }

  const def = policy.document.default;
  return build(policy, input, def.route, def.params, 'rule', 'no rule matched; policy default', 'default');
}

function build(
  policy: CompiledPolicy,
  input: DecisionInput,
  target: RouteTarget,
  params: GenerationParams,
  method: Decision['method'],
  reason: string,
  rule?: string,
): Decision {
  const candidates = resolveTarget(policy, target);
  // Caller's own generation params win over the policy's defaults for the route.
  const merged: GenerationParams = { ...params, ...input.request.params };
  const decision: Decision = {
    plan: { kind: 'single', model: candidates[0] },
    method,
    reason,
    params: merged,
    policyVersion: policy.version,
    alternatives: candidates,
  };
  if (rule !== undefined) decision.rule = rule;
  return decision;
}

function bandFloor(bands: ReadonlyArray<{ below?: number }>, band: { below?: number }): number {
  const i = bands.indexOf(band);
  return i > 0 ? (bands[i - 1].below ?? 0) : 0;
}
