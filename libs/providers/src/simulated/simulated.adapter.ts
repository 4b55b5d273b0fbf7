import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { estimateTokens, routingText } from '@switchyard/contracts';
import type { ProviderAdapter, ProviderCall, ProviderResult } from '../lib/provider-adapter';

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

export interface SimulatedOptions {
  /** Added to every call, to imitate provider latency. */
  latencyMs?: number;
}

/**
 * A provider that answers deterministically without a network: the same model and prompt always give the
 * same text and token usage, and the usage scales with the prompt the way chat models' answers do, so cost
 * figures computed from it are realistic. Used by the demo, the tests and overhead benchmarks.
 */
export class SimulatedAdapter implements ProviderAdapter {
  readonly kind = 'simulated';

  constructor(private readonly options: SimulatedOptions = {}) {}

  /** The same answer as complete(), a word at a time. */
  async stream(call: ProviderCall, onDelta: (delta: string) => void): Promise<ProviderResult> {
    const result = await this.complete(call);
    for (const piece of result.content.match(/\S+\s*/g) ?? []) onDelta(piece);
    return result;
  }

  async complete(call: ProviderCall): Promise<ProviderResult> {
    if (this.options.latencyMs) await sleep(this.options.latencyMs, undefined, { signal: call.signal });
    let inputTokens = 0;
    for (const m of call.messages) inputTokens += estimateTokens(m.content) + 4;
    const prompt = routingText(call.messages);
    const digest = createHash('sha256').update(call.model.id).update('\0').update(prompt).digest();
    const wanted = 24 + Math.round(inputTokens * 0.8) + (digest[0] % 96);
    const cap = call.params.maxTokens ?? 4096;
    const outputTokens = Math.min(wanted, cap);
    const words: string[] = [];
    for (let i = 0; words.length * 1.3 < outputTokens; i++) words.push(WORDS[digest[i % digest.length] % WORDS.length]);
    return {
      content: `[${call.model.id}] ${words.join(' ')}.`,
      finishReason: wanted > cap ? 'length' : 'stop',
      usage: { inputTokens, outputTokens },
    };
  }
}
