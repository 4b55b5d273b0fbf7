import { REPLAY_ROW_METADATA } from '@switchyard/datasets';
import { compilePolicy, extractFeatures } from '@switchyard/routing';
import { parseDataset } from '@switchyard/datasets';
import {
  LIVE_TENANT,
  type LiveAnswer,
  compareLive,
  decisionInputOf,
  expectedAnswer,
  liveRequest,
  livePolicyDocument,
} from './live';

// Three prompts, two models: "small" costs 0.001 and is right on a and c; "large" costs 0.01 and right on all.
const rows = parseDataset(
  [
    { id: 'a', prompt: 'one', outcomes: { small: { score: 1, cost_usd: 0.001 }, large: { score: 1, cost_usd: 0.01 } } },
    { id: 'b', prompt: 'two', outcomes: { small: { score: 0, cost_usd: 0.001 }, large: { score: 1, cost_usd: 0.01 } } },
    {
      id: 'c',
      prompt: 'three',
      outcomes: { small: { score: 1, cost_usd: 0.002 }, large: { score: 1, cost_usd: 0.02 } },
    },
  ]
    .map((r) => JSON.stringify(r))
    .join('\n'),
);
const offline = (['small', 'large', 'small'] as const).map((model, i) =>
  expectedAnswer(rows[i], { kind: 'single', model }),
);
const answer = (id: string, model: string, costUsd: number, extra: Partial<LiveAnswer> = {}): LiveAnswer => ({
  id,
  ok: true,
  model,
  decidedModel: model,
  costUsd,
  policyVersion: 'p@1',
  ...extra,
});
const asOffline = [answer('a', 'small', 0.001), answer('b', 'large', 0.01), answer('c', 'small', 0.002)];

describe(compareLive.name, () => {
  it('matches when every prompt went to the same model at the recorded cost (hand-computed totals)', () => {
    const sut = compareLive(rows, offline, asOffline, 'p@1');
    expect(sut.matches).toBe(true);
    expect(sut.offline).toMatchObject({ prompts: 3, answered: 3, quality: 1, byModel: { small: 2, large: 1 } });
    expect(sut.offline.totalCostUsd).toBeCloseTo(0.013, 12);
    expect(sut.offline.costUsd).toBeCloseTo(0.013 / 3, 12);
    expect(sut.live).toEqual(sut.offline);
    expect(sut).toMatchObject({ differing: [], failed: [], costMismatches: [], otherPolicy: [] });
  });

  it('reports a prompt routed elsewhere, scoring the live side with the model that answered', () => {
    const live = [answer('a', 'small', 0.001), answer('b', 'small', 0.001), answer('c', 'small', 0.002)];
    const sut = compareLive(rows, offline, live, 'p@1');
    expect(sut.matches).toBe(false);
    expect(sut.differing).toEqual([{ id: 'b', offline: 'large', live: 'small' }]);
    expect(sut.live.quality).toBeCloseTo(2 / 3, 12);
    expect(sut.live.totalCostUsd).toBeCloseTo(0.004, 12);
    expect(sut.live.byModel).toEqual({ small: 3 });
  });

  it('reports a provider fallback as a difference even when the decision was the offline one', () => {
    const live = [...asOffline];
    live[1] = answer('b', 'small', 0.001, { decidedModel: 'large' });
    expect(compareLive(rows, offline, live).differing).toEqual([{ id: 'b', offline: 'large', live: 'large -> small' }]);
  });

  it('counts lost requests as failed and leaves them out of the live means', () => {
    const live = [...asOffline];
    live[2] = { id: 'c', ok: false, error: 'timeout: no answer' };
    const sut = compareLive(rows, offline, live);
    expect(sut.matches).toBe(false);
    expect(sut.failed).toEqual([{ id: 'c', error: 'timeout: no answer' }]);
    expect(sut.live).toMatchObject({ prompts: 3, answered: 2, quality: 1 });
    expect(sut.live.totalCostUsd).toBeCloseTo(0.011, 12);
    expect(sut.live.costUsd).toBeCloseTo(0.0055, 12);
  });

  it('reports an answer charged at another cost than its row records (replayed from another row)', () => {
    const live = [...asOffline];
    live[0] = answer('a', 'small', 0.003);
    const sut = compareLive(rows, offline, live);
    expect(sut.matches).toBe(false);
    expect(sut.costMismatches).toEqual([{ id: 'a', model: 'small', recordedUsd: 0.001, liveUsd: 0.003 }]);
  });

  it('reports answers decided by another policy than the one evaluated', () => {
    const live = asOffline.map((a) => ({ ...a, policyVersion: 'published@7' }));
    const sut = compareLive(rows, offline, live, 'p@1');
    expect(sut.matches).toBe(false);
    expect(sut.otherPolicy.map((p) => p.version)).toEqual(['published@7', 'published@7', 'published@7']);
  });

  it('refuses answers that do not line up with the rows', () => {
    expect(() => compareLive(rows, offline, asOffline.slice(1))).toThrow('3 rows but 3 offline decisions and 2 live');
    expect(() => compareLive(rows, offline, [asOffline[1], asOffline[0], asOffline[2]])).toThrow(
      'live answer 0 is for row b, not a',
    );
  });
});

describe(liveRequest.name, () => {
  it('sends the prompt as the one user message, naming its row for the replay provider', () => {
    expect(liveRequest(rows[1], 'live-x-1')).toEqual({
      requestId: 'live-x-1',
      tenant: LIVE_TENANT,
      messages: [{ role: 'user', content: 'two' }],
      metadata: { [REPLAY_ROW_METADATA]: 'b' },
    });
  });

  it("sends a row's context before its prompt, as the conversation a caller would send", () => {
    const [followUp] = parseDataset(
      JSON.stringify({
        id: 'f',
        prompt: 'And why?',
        context: 'Is the sky blue?',
        outcomes: { m: { score: 1, cost_usd: 0 } },
      }),
    );
    expect(liveRequest(followUp, 'r').messages).toEqual([
      { role: 'user', content: 'Is the sky blue?' },
      { role: 'user', content: 'And why?' },
    ]);
  });
});

describe(`${liveRequest.name} with the task hint`, () => {
  it('carries the row task label as the request task hint, when the row has one', () => {
    const [tagged] = parseDataset(
      JSON.stringify({ id: 't', task: 'law', prompt: 'p', outcomes: { m: { score: 1, cost_usd: 0 } } }),
    );
    expect(liveRequest(tagged, 'r', true).hints).toEqual({ task: 'law' });
    expect(liveRequest(tagged, 'r').hints).toBeUndefined();
    expect(liveRequest(rows[0], 'r', true).hints).toBeUndefined();
  });
});

describe(decisionInputOf.name, () => {
  it('is the request as ingress passes it on, with the features analyzer extracts', () => {
    const request = liveRequest(rows[0], 'r1');
    expect(decisionInputOf(request)).toEqual({
      request: { ...request, stream: false },
      tenant: LIVE_TENANT,
      features: extractFeatures(request.messages),
    });
    expect(decisionInputOf({ messages: [{ role: 'user', content: 'x' }] }).tenant).toBe('default');
  });
});

describe(livePolicyDocument.name, () => {
  it('routes only by the learned router, every model replayed and priced from the data, no quotas', () => {
    const sut = compilePolicy(livePolicyDocument(rows, ['large', 'small'], 'router.json', { tolerance: 0.1 }, 'v@1'));
    expect(sut.version).toBe('v@1');
    expect(sut.rules).toEqual([]);
    expect(sut.document.difficulty).toBeUndefined();
    expect(sut.document.quotas).toBeUndefined();
    expect(sut.document.learned).toMatchObject({
      enabled: true,
      artifact: 'router.json',
      mode: 'cost-aware',
      tolerance: 0.1,
    });
    // No token counts in these rows: each model is priced at its mean cost per prompt, cheapest first.
    expect([...sut.models.values()].map((m) => [m.id, m.provider, m.priceUsdPerMTok.input])).toEqual([
      ['small', 'replay', expect.closeTo(0.004 / 3, 12) as number],
      ['large', 'replay', expect.closeTo(0.04 / 3, 12) as number],
    ]);
    expect(sut.document.default.route).toEqual({ model: 'small' });
  });

  it('takes a cost weight as the knob instead, or leaves the knob to the policy default', () => {
    const weighted = compilePolicy(livePolicyDocument(rows, ['large', 'small'], 'r.json', { costWeight: 0.2 }));
    expect(weighted.document.learned).toMatchObject({ costWeight: 0.2 });
    expect(weighted.document.learned?.tolerance).toBeUndefined();
    const unset = compilePolicy(livePolicyDocument(rows, ['large', 'small'], 'r.json')).document.learned;
    expect([unset?.costWeight, unset?.tolerance]).toEqual([undefined, undefined]);
  });
});

describe(expectedAnswer.name, () => {
  // One prompt that asks for JSON (so the valid-json check fails every replayed answer) and four models.
  const [row] = parseDataset(
    JSON.stringify({
      id: 'p',
      prompt: 'Reply in JSON: which option?',
      outcomes: {
        a: { score: 1, pred: 'B', cost_usd: 0.001 },
        b: { score: 0, pred: 'C', cost_usd: 0.002 },
        c: { score: 1, pred: 'B', cost_usd: 0.004 },
        d: { score: 1, pred: 'D', cost_usd: 0.01 },
      },
    }),
  );
  const consensus = (models: string[], model: string, onDisagreement: 'escalate' | 'flag') =>
    expectedAnswer(row, { kind: 'consensus', model, models, quorum: 2, onDisagreement });
  const cascade = (acceptance: Array<'non-empty' | 'valid-json'>, maxCostUsd?: number) =>
    expectedAnswer(row, {
      kind: 'cascade',
      model: 'a',
      models: ['a', 'b', 'c'],
      acceptance,
      ...(maxCostUsd === undefined ? {} : { maxCostUsd }),
    });

  it('a consensus: the first agreeing voter, every voter charged', () => {
    expect(consensus(['a', 'c'], 'd', 'escalate')).toEqual({ model: 'a', decided: 'd', costUsd: 0.005 });
  });
  it('a disagreement asks a tie-breaker outside the vote, or returns the strongest voter flagged', () => {
    const escalated = consensus(['a', 'b'], 'd', 'escalate');
    expect(escalated).toMatchObject({ model: 'd', decided: 'd' });
    expect(escalated.costUsd).toBeCloseTo(0.013, 12);
    expect(consensus(['a', 'b'], 'b', 'flag')).toMatchObject({ model: 'b', costUsd: 0.003 });
    expect(consensus(['a', 'b'], 'd', 'flag')).toMatchObject({ model: 'a', costUsd: 0.003 });
  });
  it('a cascade stops at the first accepted answer, at the cost cap, or at its last tier', () => {
    expect(cascade(['non-empty'])).toEqual({ model: 'a', decided: 'a', costUsd: 0.001 });
    // The cap is checked before paying: b's recorded cost would take the spend past 0.0025, so a's answer returns.
    expect(cascade(['valid-json'], 0.0025)).toMatchObject({ model: 'a', costUsd: 0.001 });
    expect(cascade(['valid-json'], 0.0035)).toMatchObject({ model: 'b', costUsd: 0.003 });
    const last = cascade(['valid-json']);
    expect(last).toMatchObject({ model: 'c', decided: 'a' });
    expect(last.costUsd).toBeCloseTo(0.007, 12);
  });
});
