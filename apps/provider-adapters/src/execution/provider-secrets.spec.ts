import { parsePolicy } from '@switchyard/routing';
import { ProviderSecrets } from './provider-secrets';

describe(ProviderSecrets.name, () => {
  const models = parsePolicy(`version: s@1
models:
  - { id: a, provider: openai, apiKeyEnv: SWITCHYARD_KEY_OPENAI, tier: t, priceUsdPerMTok: { input: 1, output: 1 } }
  - { id: b, provider: openai, apiKeyEnv: MONGODB_URI, tier: t, priceUsdPerMTok: { input: 1, output: 1 } }
default: { route: { model: a } }
`).models;

  describe('apiKeyOf', () => {
    it('reads keys only from variables with the prefix, whatever the policy names', () => {
      const sut = new ProviderSecrets(
        { SWITCHYARD_KEY_OPENAI: 'sk-1', MONGODB_URI: 'mongodb://user:secret@db' },
        'SWITCHYARD_KEY_',
      );
      expect(sut.apiKeyOf(models.get('a')!)).toBe('sk-1');
      expect(sut.apiKeyOf(models.get('b')!)).toBeUndefined();
    });
  });
});
