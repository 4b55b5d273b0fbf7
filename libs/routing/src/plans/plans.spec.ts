import { asksForJson, failedChecks } from './acceptance';
import { consensusNext, normaliseAnswer, voteConsensus } from './consensus';

describe(failedChecks.name, () => {
  const all = ['non-empty', 'not-refusal', 'not-truncated', 'valid-json'] as const;
  it('accepts a plain complete answer', () => {
    expect(failedChecks({ content: 'Paris is the capital.', finishReason: 'stop' }, all, 'Capital of France?')).toEqual(
      [],
    );
  });
  it.each([
    ['', 'stop', 'non-empty'],
    ["I'm sorry, but I can't help with that.", 'stop', 'not-refusal'],
    ['抱歉,我无法回答这个问题。', 'stop', 'not-refusal'],
    ['As an AI, I do not have opinions.', 'stop', 'not-refusal'],
    ['The answer is', 'length', 'not-truncated'],
  ])('rejects %p (%s) for %s', (content, finishReason, check) => {
    expect(failedChecks({ content, finishReason: finishReason as 'stop' | 'length' }, all, 'q')).toContain(check);
  });
  it('checks JSON only when the prompt asks for it, and accepts fenced JSON', () => {
    expect(failedChecks({ content: 'not json', finishReason: 'stop' }, all, 'Reply in JSON')).toEqual(['valid-json']);
    expect(failedChecks({ content: '```json\n{"a": 1}\n```', finishReason: 'stop' }, all, 'Reply in JSON')).toEqual([]);
    expect(failedChecks({ content: 'not json', finishReason: 'stop' }, all, 'Reply in prose')).toEqual([]);
    expect(asksForJson('输出JSON格式')).toBe(true);
  });
  it('does not call a mention of sorry in the middle a refusal', () => {
    expect(
      failedChecks({ content: 'The word "sorry" comes from Old English.', finishReason: 'stop' }, ['not-refusal'], 'q'),
    ).toEqual([]);
  });
});

describe(normaliseAnswer.name, () => {
  it.each([
    ['The answer is (B).', 'B'],
    ['Answer: c', 'C'],
    ['答案是 D', 'D'],
    ['(E)', 'E'],
    ['  Paris.  ', 'paris'],
  ])('%p -> %p', (input, out) => {
    expect(normaliseAnswer(input)).toBe(out);
  });
});

describe(voteConsensus.name, () => {
  it('does not count empty answers as votes, so two empty answers never agree', () => {
    const r = voteConsensus(
      [
        { model: 'a', answer: '' },
        { model: 'b', answer: '  \n ' },
        { model: 'c', answer: 'C' },
      ],
      2,
    );
    expect(r).toMatchObject({ agreed: false, answer: 'C', majority: ['c'] });
    expect(voteConsensus([{ model: 'a', answer: '' }], 1)).toMatchObject({ agreed: false, majority: [] });
  });
  it('returns the majority when it reaches the quorum', () => {
    const r = voteConsensus(
      [
        { model: 'a', answer: 'The answer is B' },
        { model: 'b', answer: 'Answer: b' },
        { model: 'c', answer: 'C' },
      ],
      2,
    );
    expect(r).toMatchObject({ agreed: true, answer: 'The answer is B', majority: ['a', 'b'] });
    expect(r.groups.map((g) => g.models)).toEqual([['a', 'b'], ['c']]);
  });
  it('says there is no agreement instead of returning the first answer', () => {
    const r = voteConsensus(
      [
        { model: 'a', answer: 'A' },
        { model: 'b', answer: 'B' },
        { model: 'c', answer: 'C' },
      ],
      2,
    );
    expect(r.agreed).toBe(false);
    expect(r.groups).toHaveLength(3);
  });
});

describe(consensusNext.name, () => {
  const agreed = voteConsensus(
    [
      { model: 'b', answer: 'A' },
      { model: 'c', answer: 'A' },
    ],
    2,
  );
  const split = voteConsensus(
    [
      { model: 'b', answer: 'A' },
      { model: 'c', answer: 'B' },
    ],
    2,
  );
  const plan = (model: string, onDisagreement: 'escalate' | 'flag') => ({ model, models: ['b', 'c'], onDisagreement });
  it('keeps the majority first voter, asks a tie-breaker outside the vote, else the strongest or first answer', () => {
    expect(consensusNext(plan('x', 'escalate'), agreed, ['b', 'c'])).toEqual({ keep: 'b' });
    expect(consensusNext(plan('x', 'escalate'), split, ['b', 'c'])).toEqual({ ask: 'x' });
    expect(consensusNext(plan('c', 'escalate'), split, ['b', 'c'])).toEqual({ keep: 'c' });
    expect(consensusNext(plan('c', 'flag'), split, ['b'])).toEqual({ keep: 'b' });
  });
});
