import type { ChatMessage } from '../payloads/chat-request';
import { CONTEXT_MAX_CHARS, contextText, estimateTokens, routingText } from './text';

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

describe(estimateTokens.name, () => {
  it('weighs each character by what its script costs a BPE vocabulary', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('abcd')).toBe(1); // ASCII: a quarter each
    expect(estimateTokens('abcde')).toBe(2); // rounded up
    expect(estimateTokens('éàüö')).toBe(3); // Latin beyond ASCII: three quarters
    expect(estimateTokens('Привет')).toBe(3); // another alphabet: 0.4 each, 2.4
    expect(estimateTokens('สวัสดี')).toBe(3); // Thai: 0.5 each
    expect(estimateTokens('こんにちは')).toBe(4); // kana: 0.8 each
    expect(estimateTokens('안녕하세요')).toBe(4); // Hangul: 0.8 each
    expect(estimateTokens('中文问题')).toBe(4); // Han: one each
    expect(estimateTokens('😀😀')).toBe(2); // beyond the BMP: one each
    expect(estimateTokens('\u{20000}')).toBe(1); // a Han character beyond the BMP
    expect(estimateTokens('—…“”')).toBe(1); // punctuation beyond ASCII: a quarter each
  });

  it('adds up the parts of a mixed text', () => {
    const en = 'Translate this: ';
    const ru = 'Почему небо голубое';
    expect(estimateTokens(en + ru)).toBe(Math.ceil((en.length * 5 + (ru.length - 2) * 8 + 2 * 5) / 20));
  });
});
