import { routingText } from '@switchyard/contracts';
import { REPLAY_ROW_METADATA, replayedAnswer, routableModelId } from '@switchyard/datasets';
import { cannotHonour, ProviderError } from '../lib/provider-error';
import type { ProviderAdapter, ProviderCall, ProviderResult } from '../lib/provider-adapter';

/** One prompt's recorded outcomes (the routing dataset format, docs/datasets.md). */
export interface ReplayRecord {
  /** The row's id in the dataset, which requests may name in metadata `replay-row`. */
  id?: string;
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
  /** Rows by id: several when a file reuses ids (per task, per source), told apart by their prompt. */
  private readonly byId = new Map<string, ReplayRecord[]>();

  constructor(
    given: readonly ReplayRecord[],
    private readonly source = 'the replay dataset',
  ) {
    const records = underRoutableIds(given);
    this.byPrompt = new Map(records.map((r) => [r.prompt, r.outcomes]));
    for (const r of records) {
      if (r.id === undefined) continue;
      const rows = this.byId.get(r.id);
      if (rows) rows.push(r);
      else this.byId.set(r.id, [r]);
    }
  }

  get size(): number {
    return this.byPrompt.size;
  }

  async complete(call: ProviderCall): Promise<ProviderResult> {
    refuseWhatRecordsCannotAnswer(call);
    const prompt = routingText(call.messages);
    const outcomes = this.outcomesOf(prompt, call.metadata?.[REPLAY_ROW_METADATA]);
    const name = call.model.deployment ?? call.model.id;
    const o = outcomes[name];
    if (!o) throw new ProviderError(`${this.source} has no outcome of ${name} for this prompt`, false);
    const result: ProviderResult = { ...replayedAnswer(name, o), costUsd: o.cost_usd };
    if (o.input_tokens !== undefined && o.output_tokens !== undefined)
      result.usage = { inputTokens: o.input_tokens, outputTokens: o.output_tokens };
    return result;
  }

  private outcomesOf(prompt: string, rowId: string | undefined): ReplayRecord['outcomes'] {
    if (rowId !== undefined) {
      const rows = this.byId.get(rowId);
      if (!rows) throw new ProviderError(`${this.source} has no row with id "${rowId}"`, false);
      // A row id with another prompt would answer a question that was not asked; of several rows with the
      // id and this prompt, the last (as for a prompt named by no id).
      const row = rows.findLast((r) => r.prompt === prompt);
      if (!row)
        throw new ProviderError(`${this.source} row "${rowId}" is not this prompt ("${prompt.slice(0, 60)}")`, false);
      return row.outcomes;
    }
    const outcomes = this.byPrompt.get(prompt);
    if (!outcomes)
      throw new ProviderError(`${this.source} has no record of this prompt ("${prompt.slice(0, 60)}")`, false);
    return outcomes;
  }
}

/**
 * Each outcome also under the id a policy names its model by (`routableModelId`), as `switchyard eval` and
 * `simulate` route a name no policy may use; the name itself still answers (a policy's `deployment`).
 */
function underRoutableIds(records: readonly ReplayRecord[]): readonly ReplayRecord[] {
  const ids = new Map<string, string>();
  return records.map((r) => {
    let outcomes = r.outcomes;
    for (const name of Object.keys(r.outcomes)) {
      let id = ids.get(name);
      if (id === undefined) ids.set(name, (id = routableModelId(name)));
      if (id === name || id in r.outcomes) continue;
      if (outcomes === r.outcomes) outcomes = { ...r.outcomes };
      outcomes[id] = r.outcomes[name];
    }
    return outcomes === r.outcomes ? r : { ...r, outcomes };
  });
}

/**
 * A recorded outcome is one plain text answer to a text prompt: a call that asks for tools, a JSON format,
 * images, several answers or logprobs would get an answer that ignores what it asked.
 */
function refuseWhatRecordsCannotAnswer(call: ProviderCall): void {
  const why = 'it answers from recorded text answers';
  if (call.tools?.length)
    throw cannotHonour(
      'replay',
      'tools',
      call.tools.map((t) => t.name),
      why,
    );
  if (call.responseFormat && call.responseFormat.type !== 'text')
    throw cannotHonour('replay', 'responseFormat', call.responseFormat.type, why);
  call.messages.forEach((m, i) => {
    if (Array.isArray(m.content) && m.content.some((p) => p.type === 'image'))
      throw cannotHonour('replay', `messages[${i}].content`, 'image', why);
  });
  if (call.params.n !== undefined && call.params.n > 1) throw cannotHonour('replay', 'params.n', call.params.n, why);
  if (call.params.logprobs) throw cannotHonour('replay', 'params.logprobs', true, why);
}
