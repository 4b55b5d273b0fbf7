import type { ChatMessage } from '../payloads/chat-request';
import { CONTEXT_MAX_CHARS, contextText, routingText } from './text';

const system = (content: string): ChatMessage => ({ role: 'system', content });
const user = (content: string): ChatMessage => ({ role: 'user', content });
const assistant = (content: string): ChatMessage => ({ role: 'assistant', content });

describe(contextText.name, () => {
  it('gives the system prompt and earlier user messages, most recent first, without the answers', () => {
    const messages = [
      system('You are a physics tutor.'),
      user('What is the escape velocity of Mars?'),
      assistant('About 5 km/s.'),
      user('And of the Moon?'),
      assistant('About 2.4 km/s.'),
      user('Why are they different?'),
    ];
    expect(routingText(messages)).toBe('Why are they different?');
    expect(contextText(messages)).toBe(
      'And of the Moon?\nWhat is the escape velocity of Mars?\nYou are a physics tutor.',
    );
  });

  it('is empty when the routed message is the first one', () => {
    expect(contextText([user('hello')])).toBe('');
    expect(contextText([])).toBe('');
    expect(contextText([assistant('hi'), user('hello')])).toBe('');
  });

  it('leaves out what follows the last user message, and reads text parts only', () => {
    const messages: ChatMessage[] = [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Describe ' },
          { type: 'image', url: 'https://example.com/a.png' },
          { type: 'text', text: 'this chart.' },
        ],
      },
      user('Which bar is tallest?'),
      system('Answer briefly.'),
    ];
    expect(contextText(messages)).toBe('Describe this chart.');
  });

  it('keeps the most recent turns when the conversation is longer than the limit', () => {
    const old = 'o'.repeat(CONTEXT_MAX_CHARS);
    const recent = 'r'.repeat(100);
    const context = contextText([user(old), user(recent), user('and now?')]);
    expect(context).toHaveLength(CONTEXT_MAX_CHARS);
    expect(context.startsWith(`${recent}\n`)).toBe(true);
  });
});
