import { CONTEXT_MAX_CHARS, contextText, routingText } from '@switchyard/contracts';
import { rowContext, rowMessages } from './row-conversation';

describe(rowMessages.name, () => {
  it('is the prompt alone for a row without context', () => {
    expect(rowMessages({ prompt: 'What is 2+2?' })).toEqual([{ role: 'user', content: 'What is 2+2?' }]);
    expect(rowContext({ prompt: 'What is 2+2?' })).toBeUndefined();
    expect(rowContext({ prompt: 'What is 2+2?', context: '' })).toBeUndefined();
  });

  it('puts the context before the prompt, so the prompt is still what is routed', () => {
    const messages = rowMessages({ prompt: 'And why?', context: 'Is the sky blue?' });
    expect(messages).toEqual([
      { role: 'user', content: 'Is the sky blue?' },
      { role: 'user', content: 'And why?' },
    ]);
    expect(routingText(messages)).toBe('And why?');
    expect(contextText(messages)).toBe('Is the sky blue?');
  });
});

describe(rowContext.name, () => {
  it('is the context a request carrying the row gives a router: cut as serving cuts it, most recent kept', () => {
    const row = { prompt: 'Summarise.', context: `${'recent '.repeat(700)}${'older '.repeat(3000)}` };
    expect(row.context.length).toBeGreaterThan(CONTEXT_MAX_CHARS);
    const context = rowContext(row);
    expect(context).toHaveLength(CONTEXT_MAX_CHARS);
    expect(context).toBe(contextText(rowMessages(row)));
    expect(context?.startsWith('recent recent')).toBe(true);
    expect(rowContext({ prompt: 'p', context: 'short' })).toBe('short');
  });
});
