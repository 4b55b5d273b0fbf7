import { CONTEXT_MAX_CHARS, type RequestReceived, completionFailedSchema } from '@switchyard/contracts';
import { completionBaseOf } from './request-failure.reporter';

const received = (messages: RequestReceived['request']['messages']): RequestReceived => ({
  requestId: 'r-1',
  tenant: 'acme',
  receivedAt: 1_764_000_000_000,
  request: { messages },
});

describe(completionBaseOf.name, () => {
  it('carries no context for a first message', () => {
    const base = completionBaseOf(received([{ role: 'user', content: 'Explain DNS' }]));
    expect(base).toMatchObject({ prompt: 'Explain DNS' });
    expect(base).not.toHaveProperty('context');
  });

  it('carries the system prompt and earlier user messages as context, cut to what the schema allows', () => {
    const long = 'x'.repeat(CONTEXT_MAX_CHARS + 500);
    const base = completionBaseOf(
      received([
        { role: 'system', content: long },
        { role: 'user', content: 'Explain DNS' },
        { role: 'assistant', content: 'It maps names to addresses.' },
        { role: 'user', content: 'and why does it cache?' },
      ]),
    );
    expect(base.prompt).toBe('and why does it cache?');
    expect(base.context).toHaveLength(CONTEXT_MAX_CHARS);
    expect(base.context?.startsWith('Explain DNS\nxxx')).toBe(true);
    // What every stage that ends a request publishes from it is a valid event.
    const failed = {
      ...base,
      stage: 'decision',
      completedAt: base.receivedAt + 1,
      error: { code: 'no_route', message: 'm' },
    };
    expect(completionFailedSchema.parse(failed).context).toBe(base.context);
  });
});
