import { loadAdaptersConfig } from './config';

describe(loadAdaptersConfig.name, () => {
  it('follows published policies unless POLICY_WATCH is false', () => {
    expect(loadAdaptersConfig({}).POLICY_WATCH).toBe(true);
    expect(loadAdaptersConfig({ POLICY_WATCH: 'false' }).POLICY_WATCH).toBe(false);
  });
});
