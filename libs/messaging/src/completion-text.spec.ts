import {
  type CompletionFailed,
  type CompletionSucceeded,
  SUBJECTS,
  completionFailedSchema,
  completionSucceededSchema,
} from '@switchyard/contracts';
import { recorder, strictFake } from '@switchyard/testing';
import { completionWithText } from './completion-text';
import { DurableOutbox } from './durable-outbox';
import type { EventPublisher } from './event-publisher';

const base = {
  requestId: 'r-1',
  tenant: 'acme',
  user: 'u-7',
  receivedAt: 1_000,
  completedAt: 1_250,
  prompt: 'my account number is 12345, why was I charged twice?',
  context: 'You are the bank assistant.',
  taskHint: 'billing',
  attempts: [{ model: 'm', provider: 'p', ok: true, latencyMs: 240 }],
};
const succeeded: CompletionSucceeded = {
  ...base,
  model: 'm',
  provider: 'p',
  answer: 'Your card 4111 was charged twice on...',
  toolCalls: [{ id: 'c1', name: 'refund', arguments: '{"account":"12345"}' }],
  finishReason: 'tool_calls',
  usage: { inputTokens: 20, outputTokens: 10, estimated: false },
  costUsd: 0.001,
  latency: { totalMs: 250, routingMs: 10, providerMs: 240 },
};
const failed: CompletionFailed = {
  ...base,
  stage: 'provider',
  error: { code: 'provider_error', message: 'the provider failed' },
};

describe(completionWithText.name, () => {
  it('leaves an event as built under full', () => {
    expect(completionWithText(succeeded, 'full')).toBe(succeeded);
    expect(completionWithText(failed, 'full')).toBe(failed);
  });

  it('takes the text, its context, the answer and the tool calls out of a success under none, and says so', () => {
    const out = completionWithText(succeeded, 'none');
    const { prompt: _p, context: _c, answer: _a, toolCalls: _t, ...kept } = succeeded;
    expect(out).toEqual({ ...kept, prompt: '', answer: '', textWithheld: true });
    expect(JSON.stringify(out)).not.toMatch(/12345|4111|bank|refund/);
    // Still a valid event for every consumer, and the original is not touched.
    expect(completionSucceededSchema.parse(out)).toEqual(out);
    expect(succeeded.prompt).toContain('12345');
  });

  it('takes the text and its context out of a failure under none, keeping the error', () => {
    const out = completionWithText(failed, 'none');
    const { prompt: _p, context: _c, ...kept } = failed;
    expect(out).toEqual({ ...kept, prompt: '', textWithheld: true });
    expect(completionFailedSchema.parse(out)).toEqual(out);
  });
});

describe('DurableOutbox.publishCompletion', () => {
  const setup = (options?: { recordPrompts?: 'full' | 'none' }) => {
    const publishDurableAny = recorder(async (_subject: string, _payload: unknown, _id: string) => undefined);
    const sut = new DurableOutbox(strictFake<EventPublisher>('EventPublisher', { publishDurableAny }), options);
    return { sut, publishDurableAny };
  };

  it('stores completions with their text by default', async () => {
    const { sut, publishDurableAny } = setup();
    expect(await sut.publishCompletion(SUBJECTS.completionSucceeded, succeeded, 'k-1')).toBe('stored');
    expect(publishDurableAny.calls[0].slice(0, 3)).toEqual([SUBJECTS.completionSucceeded, succeeded, 'k-1']);
  });

  it("stores them without it when the service's RECORD_PROMPTS is none", async () => {
    const { sut, publishDurableAny } = setup({ recordPrompts: 'none' });
    await sut.publishCompletion(SUBJECTS.completionSucceeded, succeeded, 'k-1');
    await sut.publishCompletion(SUBJECTS.completionFailed, failed, 'k-2');
    expect(publishDurableAny.calls.map((c) => c[1])).toEqual([
      completionWithText(succeeded, 'none'),
      completionWithText(failed, 'none'),
    ]);
    expect(JSON.stringify(publishDurableAny.calls)).not.toMatch(/12345|4111/);
  });
});
