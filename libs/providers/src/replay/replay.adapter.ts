import { routingText } from '@switchyard/routing';
import { ProviderError } from '../lib/provider-error';
import type { ProviderAdapter, ProviderCall, ProviderResult } from '../lib/provider-adapter';

/** One prompt's recorded outcomes (the routing dataset format, docs/datasets.md). */
export interface ReplayRecord {
  prompt: string;
  outcomes: Record<
    string,
    { score: number; pred?: string | null; input_tokens?: number; output_tokens?: number; cost_usd: number }
  >;
}

/**
 * Answers from recorded outcomes instead of calling a model: for a prompt it knows, model M's recorded
 * answer, tokens and cost. It is how the whole live system is measured on real data: every routing
 * decision costs exactly what the dataset says that model cost on that prompt.
 */
export class ReplayAdapter implements ProviderAdapter {
  readonly kind = 'replay';
  private readonly byPrompt: Map<string, ReplayRecord['outcomes']>;

  constructor(
    records: readonly ReplayRecord[],
    private readonly source = 'the replay dataset',
  ) {
    this.byPrompt = new Map(records.map((r) => [r.prompt, r.outcomes]));
  }

  get size(): number {
    return this.byPrompt.size;
  }

  async complete(call: ProviderCall): Promise<ProviderResult> {
    const prompt = routingText(call.messages);
    const outcomes = this.byPrompt.get(prompt);
    if (!outcomes)
      throw new ProviderError(`${this.source} has no record of this prompt ("${prompt.slice(0, 60)}")`, false);
    const name = call.model.deployment ?? call.model.id;
    const o = outcomes[name];
    if (!o) throw new ProviderError(`${this.source} has no outcome of ${name} for this prompt`, false);
    const result: ProviderResult = {
      content: o.pred ? `The answer is (${o.pred}).` : `[replayed ${name}: score ${o.score}]`,
      finishReason: 'stop',
      costUsd: o.cost_usd,
    };
    if (o.input_tokens !== undefined && o.output_tokens !== undefined)
      result.usage = { inputTokens: o.input_tokens, outputTokens: o.output_tokens };
    return result;
  }
}
