import { ConfigError } from '@switchyard/runtime';
import { loadDecisionConfig } from './config';

describe(loadDecisionConfig.name, () => {
  describe('POLICY_WATCH', () => {
    it('follows published policies unless told not to', () => {
      expect(loadDecisionConfig({}).POLICY_WATCH).toBe(true);
      expect(loadDecisionConfig({ POLICY_WATCH: 'true' }).POLICY_WATCH).toBe(true);
      expect(loadDecisionConfig({ POLICY_WATCH: 'false' }).POLICY_WATCH).toBe(false);
    });
    it('refuses a value that is not true or false, naming it', () => {
      expect(() => loadDecisionConfig({ POLICY_WATCH: 'no' })).toThrow(ConfigError);
      expect(() => loadDecisionConfig({ POLICY_WATCH: 'no' })).toThrow('POLICY_WATCH="no"');
    });
  });
});
