import type { Choice, FinishReason, TokenLogprob, ToolCall } from '@switchyard/contracts';
import type { AnswerPiece, ProviderResult } from '../lib/provider-adapter';
import { ProviderError } from '../lib/provider-error';

/** The fields of a Chat Completions choice (whole or streamed) that the adapter reads. */
interface WireChoice {
  index?: unknown;
  message?: { content?: unknown; refusal?: unknown; tool_calls?: unknown };
  delta?: {
    content?: unknown;
    refusal?: unknown;
    tool_calls?: Array<{ index?: unknown; id?: unknown; function?: { name?: unknown; arguments?: unknown } }>;
  };
  finish_reason?: unknown;
  logprobs?: { content?: unknown } | null;
}

/** A chat.completion body as a result: every choice, the first one's tool calls and logprobs, the usage. */
export function parseCompletion(body: Record<string, unknown>, provider: string): ProviderResult {
  const wire = body['choices'];
  if (!Array.isArray(wire) || wire.length === 0) throw new ProviderError(`${provider} answered without choices`, true);
  const parsed = (wire as WireChoice[])
    .map((c, i) => ({ at: typeof c.index === 'number' ? c.index : i, ...parseChoice(c, provider) }))
    .sort((a, b) => a.at - b.at);
  const result = toResult(parsed.map((c) => c.choice));
  if (parsed[0].logprobs) result.logprobs = parsed[0].logprobs;
  const usage = usageOf(body['usage']);
  if (usage) result.usage = usage;
  return result;
}

function parseChoice(c: WireChoice, provider: string): { choice: Choice; logprobs?: TokenLogprob[] } {
  const message = c.message;
  const toolCalls = message?.tool_calls === undefined ? undefined : parseToolCalls(message.tool_calls, provider);
  let finishReason = finishReasonOf(c.finish_reason);
  let content: string;
  if (typeof message?.content === 'string') content = message.content;
  else if (typeof message?.refusal === 'string') {
    // A structured-output refusal: the model declined, in words of its own.
    content = message.refusal;
    finishReason = 'content_filter';
  } else if (message?.content === null && (toolCalls?.length || finishReason === 'content_filter')) content = '';
  else throw new ProviderError(`${provider} answered a choice without message content`, true);
  const choice: Choice = { answer: { role: 'assistant', content }, finishReason };
  if (toolCalls?.length) choice.answer.toolCalls = toolCalls;
  const logprobs = logprobsOf(c.logprobs);
  return logprobs ? { choice, logprobs } : { choice };
}

function parseToolCalls(value: unknown, provider: string): ToolCall[] {
  if (!Array.isArray(value)) throw new ProviderError(`${provider} answered tool_calls that are not a list`, true);
  return value.map((raw: { id?: unknown; function?: { name?: unknown; arguments?: unknown } }) => {
    const { id, function: fn } = raw;
    if (typeof id !== 'string' || typeof fn?.name !== 'string')
      throw new ProviderError(`${provider} answered a tool call without id or function name`, true);
    return { id, name: fn.name, arguments: typeof fn.arguments === 'string' ? fn.arguments : '' };
  });
}

function logprobsOf(value: WireChoice['logprobs']): TokenLogprob[] | undefined {
  if (!Array.isArray(value?.content)) return undefined;
  return (value.content as Array<{ token?: unknown; logprob?: unknown; top_logprobs?: unknown }>)
    .filter((t) => typeof t.token === 'string' && typeof t.logprob === 'number')
    .map((t) => {
      const entry: TokenLogprob = { token: t.token as string, logprob: t.logprob as number };
      if (Array.isArray(t.top_logprobs))
        entry.topLogprobs = (t.top_logprobs as Array<{ token?: unknown; logprob?: unknown }>)
          .filter((a) => typeof a.token === 'string' && typeof a.logprob === 'number')
          .map((a) => ({ token: a.token as string, logprob: a.logprob as number }));
      return entry;
    });
}

/** What a stream of chat.completion.chunk events adds up to, per choice. */
interface ChoiceSoFar {
  content: string;
  refused: boolean;
  finishReason: FinishReason;
  calls: Array<{ id?: string; name?: string; arguments: string }>;
  logprobs?: TokenLogprob[];
}

/**
 * Adds up a Chat Completions stream. Only choice 0 is handed on as pieces (a caller reads one answer as
 * it is written); every choice is collected, so a streamed `n` > 1 still returns all of them.
 */
export class OpenAiStreamReader {
  private readonly choices = new Map<number, ChoiceSoFar>();
  private usage: ProviderResult['usage'];

  constructor(
    private readonly provider: string,
    private readonly onPiece: (piece: AnswerPiece) => void,
  ) {}

  chunk(chunk: { choices?: WireChoice[]; usage?: unknown }): void {
    for (const c of chunk.choices ?? []) {
      const at = typeof c.index === 'number' ? c.index : 0;
      let so = this.choices.get(at);
      if (!so) this.choices.set(at, (so = { content: '', refused: false, finishReason: 'other', calls: [] }));
      const piece: AnswerPiece = { delta: '' };
      for (const text of [c.delta?.content, c.delta?.refusal])
        if (typeof text === 'string' && text !== '') {
          so.content += text;
          piece.delta += text;
        }
      if (typeof c.delta?.refusal === 'string') so.refused = true;
      for (const d of c.delta?.tool_calls ?? []) {
        const index = typeof d.index === 'number' ? d.index : 0;
        const call = (so.calls[index] ??= { arguments: '' });
        const toolPiece: NonNullable<AnswerPiece['toolCalls']>[number] = { index };
        if (typeof d.id === 'string') toolPiece.id = call.id = d.id;
        if (typeof d.function?.name === 'string') toolPiece.name = call.name = d.function.name;
        if (typeof d.function?.arguments === 'string' && d.function.arguments !== '') {
          call.arguments += d.function.arguments;
          toolPiece.arguments = d.function.arguments;
        }
        if (Object.keys(toolPiece).length > 1) (piece.toolCalls ??= []).push(toolPiece);
      }
      if (c.finish_reason) so.finishReason = so.refused ? 'content_filter' : finishReasonOf(c.finish_reason);
      const logprobs = logprobsOf(c.logprobs);
      if (logprobs) (so.logprobs ??= []).push(...logprobs);
      if (at === 0 && (piece.delta !== '' || piece.toolCalls)) this.onPiece(piece);
    }
    const usage = usageOf(chunk.usage);
    if (usage) this.usage = usage;
  }

  result(): ProviderResult {
    const ordered = [...this.choices.entries()].sort(([a], [b]) => a - b).map(([, so]) => so);
    if (ordered.length === 0) throw new ProviderError(`${this.provider} streamed no choice`, true);
    const choices = ordered.map((so): Choice => {
      const choice: Choice = { answer: { role: 'assistant', content: so.content }, finishReason: so.finishReason };
      const calls = so.calls.filter((c) => c !== undefined);
      if (calls.length > 0)
        choice.answer.toolCalls = calls.map((c) => {
          if (c.id === undefined || c.name === undefined)
            throw new ProviderError(`${this.provider} streamed a tool call without id or function name`, true);
          return { id: c.id, name: c.name, arguments: c.arguments };
        });
      return choice;
    });
    const result = toResult(choices);
    if (ordered[0].logprobs) result.logprobs = ordered[0].logprobs;
    if (this.usage) result.usage = this.usage;
    return result;
  }
}

/** The first choice as the result; all of them as `choices` when there are several. */
function toResult(choices: Choice[]): ProviderResult {
  const [first] = choices;
  const result: ProviderResult = { content: first.answer.content, finishReason: first.finishReason };
  if (first.answer.toolCalls) result.toolCalls = first.answer.toolCalls;
  if (choices.length > 1) result.choices = choices;
  return result;
}

export function finishReasonOf(value: unknown): FinishReason {
  switch (value) {
    case 'stop':
    case 'length':
    case 'tool_calls':
    case 'content_filter':
      return value;
    case 'function_call': // the deprecated functions API's name for the same thing
      return 'tool_calls';
    default:
      return 'other';
  }
}

/** Usage as reported; a reasoning model's thinking is already inside completion_tokens. */
export function usageOf(value: unknown): ProviderResult['usage'] {
  const usage = value as { prompt_tokens?: unknown; completion_tokens?: unknown } | undefined;
  return typeof usage?.prompt_tokens === 'number' && typeof usage.completion_tokens === 'number'
    ? { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens }
    : undefined;
}
