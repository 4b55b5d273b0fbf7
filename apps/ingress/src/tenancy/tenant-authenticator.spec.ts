import { TenantAuthenticator } from './tenant-authenticator';

describe(TenantAuthenticator.name, () => {
  describe('authenticate', () => {
    it('accepts any tenant, or the default, when no keys are configured', () => {
      const sut = new TenantAuthenticator(undefined, 'default');
      expect(sut.authenticate('acme', undefined)).toBe('acme');
      expect(sut.authenticate(undefined, undefined)).toBe('default');
    });

    const sut = new TenantAuthenticator(
      new Map([
        ['k-acme', 'acme'],
        ['k-beta', 'beta'],
      ]),
      'default',
    );

    it('takes the tenant from the key', () => {
      expect(sut.authenticate(undefined, 'Bearer k-acme')).toBe('acme');
      expect(sut.authenticate('beta', 'k-beta')).toBe('beta');
    });
    it('rejects an unknown tenant naming the field', () => {
      expect(() => sut.authenticate('nobody', 'Bearer k-acme')).toThrow(
        expect.objectContaining({ code: 'unknown_tenant', field: 'tenant' }) as Error,
      );
    });
    it('rejects a missing or wrong key', () => {
      expect(() => sut.authenticate(undefined, undefined)).toThrow(
        expect.objectContaining({ code: 'unauthorized' }) as Error,
      );
      expect(() => sut.authenticate(undefined, 'Bearer nope')).toThrow(
        expect.objectContaining({ code: 'unauthorized' }) as Error,
      );
    });
    it('rejects a key of another tenant', () => {
      expect(() => sut.authenticate('beta', 'Bearer k-acme')).toThrow(
        expect.objectContaining({ code: 'unknown_tenant' }) as Error,
      );
    });
  });
});
