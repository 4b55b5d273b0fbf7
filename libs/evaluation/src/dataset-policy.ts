import type { PolicyDocument } from '@switchyard/routing';
import type { DatasetRow } from '@switchyard/datasets';

/**
 * A routing policy for any dataset's models, built from the data alone: each model priced at its observed
 * dollars per token, tiers by that price (cheap / economy / balanced / premium quartiles), the seed's keyword
 * rules and difficulty bands pointing at tiers, and optionally the learned router.
 */
export function policyForDataset(
  rows: readonly DatasetRow[],
  models: readonly string[],
  learnedArtifact?: string,
): PolicyDocument {
  const perToken = models.map((id) => {
    let cost = 0;
    let tokens = 0;
    for (const r of rows) {
      const o = r.outcomes[id];
      cost += o.cost_usd;
      tokens += (o.input_tokens ?? 0) + (o.output_tokens ?? 0);
    }
    return { id, usdPerMTok: tokens > 0 ? (cost / tokens) * 1e6 : cost / rows.length };
  });
  perToken.sort((a, b) => a.usdPerMTok - b.usdPerMTok);
  const tiers = ['cheap', 'economy', 'balanced', 'premium'];
  const tierOf = (i: number) => tiers[Math.min(tiers.length - 1, Math.floor((i * tiers.length) / perToken.length))];
  // With fewer than four models some tiers are empty: a rule or band naming one goes to the nearest that is not.
  const present = new Set(perToken.map((_, i) => tierOf(i)));
  const tier = (name: string) => {
    const at = tiers.indexOf(name);
    const nearest = tiers
      .map((t, i) => ({ t, d: Math.abs(i - at) + (i > at ? 0.5 : 0) }))
      .filter((x) => present.has(x.t))
      .sort((a, b) => a.d - b.d)[0];
    return { tier: nearest.t };
  };
  const policy: PolicyDocument = {
    version: 'dataset@1',
    models: perToken.map((m, i) => ({
      id: m.id,
      provider: 'replay',
      tier: tierOf(i),
      priceUsdPerMTok: { input: m.usdPerMTok, output: m.usdPerMTok },
      capabilities: [],
    })),
    rules: [
      {
        name: 'greeting',
        enabled: true,
        when: { keywordsAny: ['你好', 'hi', 'hello', '早上好'], maxChars: 80 },
        route: tier('cheap'),
        params: {},
      },
      {
        name: 'code_generation',
        enabled: true,
        when: { keywordsAny: ['写代码', '代码', 'function', '实现', 'implement'] },
        route: tier('balanced'),
        params: {},
      },
      {
        name: 'financial_analysis',
        enabled: true,
        when: { keywordsAny: ['财报', '股票', '投资', '分析数据', 'stock', 'investment'] },
        route: tier('premium'),
        params: {},
      },
    ],
    difficulty: {
      enabled: true,
      bands: [
        { below: 0.2, route: tier('cheap'), params: {} },
        { below: 0.5, route: tier('economy'), params: {} },
        { below: 0.8, route: tier('balanced'), params: {} },
        { route: tier('premium'), params: {} },
      ],
    },
    default: { route: tier('cheap'), params: {} },
  };
  if (learnedArtifact)
    policy.learned = {
      enabled: true,
      artifact: learnedArtifact,
      mode: 'cost-aware',
      confidenceThreshold: 0.6,
    };
  return policy;
}
