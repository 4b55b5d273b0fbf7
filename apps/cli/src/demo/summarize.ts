import type { ChatReply, ChatSuccess } from '@switchyard/contracts';
import type { CompiledPolicy } from '@switchyard/routing';

export interface SentRequest {
  transport: 'nats' | 'http';
  reply: ChatReply;
  /** The trace the request ran in, when the HTTP door answered with a traceparent (tracing on). */
  traceId?: string;
}

export interface ModelLine {
  model: string;
  tier: string;
  requests: number;
  share: number;
  costUsd: number;
  avgDifficulty: number;
  avgLatencyMs: number;
}

export interface DemoSummary {
  sent: number;
  succeeded: number;
  byTransport: Record<'nats' | 'http', number>;
  byModel: ModelLine[];
  byMethod: Record<string, number>;
  byRule: Record<string, number>;
  errors: Record<string, number>;
  costUsd: number;
  /** The same requests, same token counts, all on the policy's most expensive model. */
  premiumBaselineUsd: number;
  premiumModel: string;
}

/** What the demo prints: where the requests went, why, and what they cost against an all-premium baseline. */
export function summarize(sent: readonly SentRequest[], policy: CompiledPolicy): DemoSummary {
  const premium = [...policy.models.values()].reduce((a, b) =>
    b.priceUsdPerMTok.input + b.priceUsdPerMTok.output > a.priceUsdPerMTok.input + a.priceUsdPerMTok.output ? b : a,
  );
  const ok = sent.map((s) => s.reply).filter((r): r is ChatSuccess => r.ok);
  const byTransport = { nats: 0, http: 0 };
  const errors: Record<string, number> = {};
  for (const s of sent) {
    byTransport[s.transport]++;
    if (!s.reply.ok) errors[s.reply.error.code] = (errors[s.reply.error.code] ?? 0) + 1;
  }
  const models = new Map<string, ChatSuccess[]>();
  const byMethod: Record<string, number> = {};
  const byRule: Record<string, number> = {};
  let costUsd = 0;
  let premiumBaselineUsd = 0;
  for (const r of ok) {
    models.set(r.model, [...(models.get(r.model) ?? []), r]);
    byMethod[r.decision.method] = (byMethod[r.decision.method] ?? 0) + 1;
    const rule = r.decision.rule ?? '(difficulty band)';
    byRule[rule] = (byRule[rule] ?? 0) + 1;
    costUsd += r.costUsd;
    premiumBaselineUsd +=
      (r.usage.inputTokens * premium.priceUsdPerMTok.input + r.usage.outputTokens * premium.priceUsdPerMTok.output) /
      1e6;
  }
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const byModel = [...models.entries()]
    .map(([model, rs]) => ({
      model,
      tier: policy.models.get(model)?.tier ?? '?',
      requests: rs.length,
      share: rs.length / Math.max(ok.length, 1),
      costUsd: rs.reduce((a, r) => a + r.costUsd, 0),
      avgDifficulty: mean(rs.map((r) => r.difficulty)),
      avgLatencyMs: mean(rs.map((r) => r.latency.totalMs)),
    }))
    .sort((a, b) => b.requests - a.requests || a.model.localeCompare(b.model));
  return {
    sent: sent.length,
    succeeded: ok.length,
    byTransport,
    byModel,
    byMethod,
    byRule,
    errors,
    costUsd,
    premiumBaselineUsd,
    premiumModel: premium.id,
  };
}
