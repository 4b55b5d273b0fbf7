import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePolicy } from './compile-policy';
import { listModels } from './list-models';

describe(listModels.name, () => {
  it('lists auto, each profile, then each model with its provider, tier, capabilities, context window and prices', () => {
    const policy = parsePolicy(readFileSync(join(__dirname, '../../../../policies/default.yaml'), 'utf8'));
    const all = ['vision', 'tools', 'json', 'logprobs', 'n', 'seed', 'penalties'];
    expect(listModels(policy)).toEqual([
      {
        id: 'auto',
        kind: 'router',
        description: 'Switchyard chooses the model (policy default@1)',
        capabilities: all,
        contextWindow: 200000,
      },
      {
        id: 'auto:cheap',
        kind: 'profile',
        description: 'the cheapest model for every request',
        capabilities: all,
        contextWindow: 200000,
      },
      {
        id: 'auto:quality',
        kind: 'profile',
        description: 'the premium model for every request',
        capabilities: all,
        contextWindow: 200000,
      },
      {
        id: 'gpt-4o-mini',
        kind: 'model',
        provider: 'simulated',
        tier: 'cheap',
        capabilities: all,
        contextWindow: 128000,
        priceUsdPerMTok: { input: 0.15, output: 0.6 },
      },
      {
        id: 'claude-3-haiku',
        kind: 'model',
        provider: 'simulated',
        tier: 'economy',
        capabilities: ['vision', 'tools', 'json'],
        contextWindow: 200000,
        priceUsdPerMTok: { input: 0.25, output: 1.25 },
      },
      {
        id: 'claude-3-sonnet',
        kind: 'model',
        provider: 'simulated',
        tier: 'balanced',
        capabilities: ['vision', 'tools', 'json'],
        contextWindow: 200000,
        priceUsdPerMTok: { input: 3, output: 15 },
      },
      {
        id: 'gpt-4o',
        kind: 'model',
        provider: 'simulated',
        tier: 'premium',
        capabilities: all,
        contextWindow: 128000,
        priceUsdPerMTok: { input: 2.5, output: 10 },
      },
    ]);
  });

  it('describes an undescribed profile and leaves out windows not every model declares', () => {
    const policy = parsePolicy(`version: p@1
learned: { artifact: x.json }
profiles:
  thrifty: { costWeight: 0.5 }
  best: { target: { quality: 0.98, of: big } }
  pinned-ish: { route: { model: big } }
models:
  - { id: small, provider: openai, tier: cheap, priceUsdPerMTok: { input: 0.1, output: 0.2 }, contextWindow: 8000 }
  - { id: big, provider: anthropic, tier: premium, priceUsdPerMTok: { input: 5, output: 15 }, capabilities: [reasoning] }
default: { route: { model: small } }
`);
    const listed = listModels(policy);
    expect(listed.map((m) => [m.id, 'description' in m ? m.description : m.tier])).toEqual([
      ['auto', 'Switchyard chooses the model (policy p@1)'],
      ['auto:thrifty', 'the learned router with costWeight 0.5'],
      ['auto:best', "the learned router aiming at 0.98 of big's quality"],
      ['auto:pinned-ish', 'routes to big'],
      ['small', 'cheap'],
      ['big', 'premium'],
    ]);
    expect(listed[0]).toEqual(expect.objectContaining({ capabilities: ['reasoning'] }));
    expect(listed[0]).not.toHaveProperty('contextWindow');
    expect(listed[4]).toEqual({
      id: 'small',
      kind: 'model',
      provider: 'openai',
      tier: 'cheap',
      capabilities: [],
      contextWindow: 8000,
      priceUsdPerMTok: { input: 0.1, output: 0.2 },
    });
  });
});
