import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Choice, TokenLogprob, ToolCall } from '@switchyard/contracts';
import { estimateMessageTokens, estimateTokens, messageText, routingText } from '@switchyard/contracts';
import type { AnswerPiece, ProviderAdapter, ProviderCall, ProviderResult } from '../lib/provider-adapter';
import { placeholderFor } from './json-placeholder';

const WORDS = [
  'the',
  'answer',
  'depends',
  'on',
  'context',
  'first',
  'consider',
  'second',
  'therefore',
  'result',
  'model',
  'value',
  'because',
  'example',
  'step',
];

/** Characters of a tool call's arguments per streamed piece. */
const ARGUMENT_PIECE = 16;

export interface SimulatedOptions {
  /** Added to every call, to imitate provider latency. */
  latencyMs?: number;
}

/** One written answer and the tokens it took. */
interface Written {
  choice: Choice;
  outputTokens: number;
  logprobs?: TokenLogprob[];
}

/**
 * A provider that answers deterministically without a network: the same model and prompt always give the
 * same text and token usage, and the usage scales with the prompt the way chat models' answers do, so cost
 * figures computed from it are realistic. Used by the demo, the tests and overhead benchmarks.
 *
 * It honours the rest of the request the way a chat model does: given tools (and a tool choice other than
 * `none`) it calls one, with arguments filled from the tool's schema, unless the conversation ends with a
 * tool's result, which its answer then quotes; a JSON answer format gets JSON (a json_schema's required
 * properties filled); `n` answers, each its own; stop sequences cut the answer; logprobs come one per
 * word; a seed picks another (still reproducible) answer.
 */
export class SimulatedAdapter implements ProviderAdapter {
  readonly kind = 'simulated';

  constructor(private readonly options: SimulatedOptions = {}) {}

  /** The same answer as complete(), a word (or a piece of a tool call's arguments) at a time. */
  async stream(call: ProviderCall, onPiece: (piece: AnswerPiece) => void): Promise<ProviderResult> {
    const result = await this.complete(call);
    for (const piece of result.content.match(/\s*\S+\s*/g) ?? []) onPiece({ delta: piece });
    (result.toolCalls ?? []).forEach((c, index) => {
      onPiece({ delta: '', toolCalls: [{ index, id: c.id, name: c.name }] });
      for (let at = 0; at < c.arguments.length; at += ARGUMENT_PIECE)
        onPiece({ delta: '', toolCalls: [{ index, arguments: c.arguments.slice(at, at + ARGUMENT_PIECE) }] });
    });
    return result;
  }

  async complete(call: ProviderCall): Promise<ProviderResult> {
    if (this.options.latencyMs) await sleep(this.options.latencyMs, undefined, { signal: call.signal });
    let inputTokens = 0;
    for (const m of call.messages) inputTokens += estimateMessageTokens(m);
    const written = Array.from({ length: call.params.n ?? 1 }, (_, k) => this.write(call, k, inputTokens));
    const [first] = written;
    const result: ProviderResult = {
      content: first.choice.answer.content,
      finishReason: first.choice.finishReason,
      // As providers bill it: every answer written.
      usage: { inputTokens, outputTokens: written.reduce((sum, w) => sum + w.outputTokens, 0) },
    };
    if (first.choice.answer.toolCalls) result.toolCalls = first.choice.answer.toolCalls;
    if (written.length > 1) result.choices = written.map((w) => w.choice);
    if (first.logprobs) result.logprobs = first.logprobs;
    return result;
  }

  /** Answer `k` of the call. */
  private write(call: ProviderCall, k: number, inputTokens: number): Written {
    const prompt = routingText(call.messages);
    const hash = createHash('sha256').update(call.model.id).update('\0').update(prompt);
    // Answer 0 without a seed is the one this adapter has always given for the prompt.
    if (call.params.seed !== undefined) hash.update(`\0seed:${call.params.seed}`);
    if (k > 0) hash.update(`\0choice:${k}`);
    const digest = hash.digest();
    const word = (i: number) => WORDS[digest[i % digest.length] % WORDS.length];

    const last = call.messages.at(-1);
    if (call.tools?.length && call.toolChoice !== 'none' && last?.role !== 'tool') return this.callTool(call, digest);

    let content: string;
    let finishReason: Choice['finishReason'];
    let outputTokens: number;
    const format = call.responseFormat;
    if (format && format.type !== 'text') {
      const words = Array.from({ length: 6 }, (_, i) => word(i));
      const value = format.type === 'json_schema' ? placeholderFor(format.schema, word) : { answer: words.join(' ') };
      content = JSON.stringify(value);
      outputTokens = estimateTokens(content);
      finishReason = 'stop';
    } else {
      const wanted = 24 + Math.round(inputTokens * 0.8) + (digest[0] % 96);
      const cap = call.params.maxTokens ?? 4096;
      outputTokens = Math.min(wanted, cap);
      const words: string[] = [];
      for (let i = 0; words.length * 1.3 < outputTokens; i++) words.push(word(i));
      content = `[${call.model.id}] ${toolResultNote(call)}${words.join(' ')}.`;
      finishReason = wanted > cap ? 'length' : 'stop';
    }

    const cut = firstStop(content, call.params.stop);
    if (cut !== undefined) {
      // Stopped early: fewer tokens written, in proportion.
      outputTokens = Math.max(1, Math.round((outputTokens * cut) / content.length));
      content = content.slice(0, cut);
      finishReason = 'stop';
    }
    const written: Written = { choice: { answer: { role: 'assistant', content }, finishReason }, outputTokens };
    if (call.params.logprobs) written.logprobs = logprobsOf(content, digest, call.params.topLogprobs ?? 0);
    return written;
  }

  /** A call of the named tool (or the first), its arguments the tool schema's required properties. */
  private callTool(call: ProviderCall, digest: Buffer): Written {
    const tools = call.tools ?? [];
    const chosen = typeof call.toolChoice === 'object' ? call.toolChoice.name : undefined;
    const tool = tools.find((t) => t.name === chosen) ?? tools[0];
    const filled = placeholderFor(tool.parameters ?? { type: 'object' }, (i) => WORDS[digest[i % 32] % WORDS.length]);
    const args = JSON.stringify(typeof filled === 'object' && filled !== null && !Array.isArray(filled) ? filled : {});
    const toolCall: ToolCall = {
      id: `call_${digest.subarray(0, 12).toString('hex')}`,
      name: tool.name,
      arguments: args,
    };
    return {
      choice: { answer: { role: 'assistant', content: '', toolCalls: [toolCall] }, finishReason: 'tool_calls' },
      outputTokens: 8 + estimateTokens(tool.name) + estimateTokens(args),
    };
  }
}

/** After a tool's result, the answer opens by quoting it, as a model answers from what the tool said. */
function toolResultNote(call: ProviderCall): string {
  const last = call.messages.at(-1);
  if (last?.role !== 'tool') return '';
  const name = call.messages.flatMap((m) => m.toolCalls ?? []).find((c) => c.id === last.toolCallId)?.name;
  const result = messageText(last);
  const quoted = result.length > 200 ? `${result.slice(0, 200)}...` : result;
  return `${name ?? 'the tool'} returned ${quoted}; `;
}

/** Where the first stop sequence begins, if any occurs. */
function firstStop(content: string, stop: readonly string[] | undefined): number | undefined {
  let cut: number | undefined;
  for (const s of stop ?? []) {
    const at = content.indexOf(s);
    if (at >= 0 && (cut === undefined || at < cut)) cut = at;
  }
  return cut;
}

/**
 * One entry per word (with its leading space, as tokenizers cut text), so the tokens join to the content;
 * log-probabilities between about -2 and 0, and with `top` > 0 the word itself and other words, less likely.
 */
function logprobsOf(content: string, digest: Buffer, top: number): TokenLogprob[] {
  return (content.match(/\s*\S+/g) ?? []).map((token, i) => {
    const b = digest[(i * 7) % digest.length];
    const logprob = -Math.round((b / 255) * 2000) / 1000;
    const entry: TokenLogprob = { token, logprob };
    if (top > 0) {
      const others = WORDS.map((w) => ` ${w}`).filter((w) => w !== token);
      entry.topLogprobs = [
        { token, logprob },
        ...Array.from({ length: Math.min(top - 1, others.length) }, (_, j) => ({
          token: others[(b + j) % others.length],
          logprob: Math.round((logprob - 0.7 * (j + 1)) * 1000) / 1000,
        })),
      ];
    }
    return entry;
  });
}
