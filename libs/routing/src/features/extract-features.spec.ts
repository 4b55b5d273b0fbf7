import { estimateTokens, routingText } from '@switchyard/contracts';
import { detectLanguage, extractFeatures } from './extract-features';

describe(extractFeatures.name, () => {
  it('reads the last user message when the conversation ends with an assistant turn', () => {
    const messages = [
      { role: 'user' as const, content: 'first question?' },
      { role: 'assistant' as const, content: 'an answer' },
      { role: 'user' as const, content: 'second question?' },
      { role: 'assistant' as const, content: 'another' },
    ];
    expect(routingText(messages)).toBe('second question?');
    expect(extractFeatures(messages)).toMatchObject({ turns: 2, questionCount: 1, chars: 16 });
  });

  it('counts fenced code blocks and Chinese question marks', () => {
    const f = extractFeatures([
      { role: 'user', content: '这段代码为什么错？\n```js\nx()\n```\n还有这个？\n```py\ny()\n```' },
    ]);
    expect(f.codeBlocks).toBe(2);
    expect(f.questionCount).toBe(2);
    expect(f.language).toBe('zh');
  });

  it('rates a request with code and several questions harder than the same words without', () => {
    const plain = extractFeatures([{ role: 'user', content: '这段为什么错 还有这个' }]).difficulty;
    const withCode = extractFeatures([
      { role: 'user', content: '这段为什么错？\n```js\nx()\n```\n还有这个？' },
    ]).difficulty;
    expect(withCode - plain).toBeGreaterThan(0.07);
  });
});

describe(detectLanguage.name, () => {
  it.each([
    ['为什么天空是蓝色的', 'zh'],
    ['Why is the sky blue?', 'en'],
    ['请解释 quantum entanglement 和 Bell inequality', 'mixed'],
    ['12345 !!!', 'other'],
    ['Pourquoi le ciel est-il bleu ?', 'en'],
    ['なぜ空は青いのですか', 'other'], // Japanese: Han beside kana
    ['東京都の人口は何人ですか', 'other'], // mostly Han, a few kana
    ['这个词在日语里写作「かな」，为什么要用假名来表示发音', 'zh'], // a Japanese word quoted in Chinese
    ['이 코드에서 bug를 찾아줘', 'other'], // Korean with an English word
    ['Почему небо голубое?', 'other'],
    ['Explain this: Почему небо голубое?', 'mixed'],
  ])('%s is %s', (text, lang) => {
    expect(detectLanguage(text)).toBe(lang);
  });
});

describe(estimateTokens.name, () => {
  it('counts a Han character as a token and four other characters as one', () => {
    expect(estimateTokens('你好')).toBe(2);
    expect(estimateTokens('abcdefgh')).toBe(2);
    expect(estimateTokens('你好abcd')).toBe(3);
  });
});
