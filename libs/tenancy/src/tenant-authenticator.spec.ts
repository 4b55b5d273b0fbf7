import { type TenantKeyLookup, TenantAuthenticator } from './tenant-authenticator';

/** Imitates TenantKeyCache: a loaded map of key -> tenant (keys starting with "admin" are admin keys). */
function keys(entries: Record<string, string>, loaded = true): TenantKeyLookup {
  return {
    loaded,
    holderOf: (key) => (entries[key] ? { tenant: entries[key], admin: key.startsWith('admin') } : undefined),
  };
}

describe(TenantAuthenticator.name, () => {
  describe('authenticate', () => {
    describe('with AUTH=off', () => {
      const sut = new TenantAuthenticator(undefined, 'default');

      it('takes the tenant the request names, or the default', () => {
        expect(sut.authenticate('acme', undefined)).toBe('acme');
        expect(sut.authenticate(undefined, undefined)).toBe('default');
      });

      it('refuses a tenant name that cannot be stored as it is (UTF-8 arrives garbled in headers, ":" splits keys)', () => {
        for (const bad of ['租户', 'acme:evil', ''])
          expect(() => sut.authenticate(bad, undefined)).toThrow(
            expect.objectContaining({ code: 'invalid_request', field: 'tenant' }) as Error,
          );
      });
    });

    describe('with AUTH=on', () => {
      const sut = new TenantAuthenticator(keys({ 'k-acme': 'acme', 'k-beta': 'beta' }), 'default');

      it('takes the tenant from the key', () => {
        expect(sut.authenticate(undefined, 'Bearer k-acme')).toBe('acme');
        expect(sut.authenticate('beta', 'k-beta')).toBe('beta');
      });

      it('refuses a tenant the key does not belong to, naming the field', () => {
        expect(() => sut.authenticate('nobody', 'Bearer k-acme')).toThrow(
          expect.objectContaining({ code: 'unknown_tenant', field: 'tenant' }) as Error,
        );
        expect(() => sut.authenticate('beta', 'Bearer k-acme')).toThrow(
          expect.objectContaining({ code: 'unknown_tenant' }) as Error,
        );
      });

      it('refuses a missing, unknown or revoked key', () => {
        expect(() => sut.authenticate(undefined, undefined)).toThrow(
          expect.objectContaining({ code: 'unauthorized' }) as Error,
        );
        expect(() => sut.authenticate('acme', 'Bearer nope')).toThrow(
          expect.objectContaining({
            code: 'unauthorized',
            message: expect.stringMatching(/unknown or revoked/),
          }) as Error,
        );
      });

      it('says who holds a key and whether it spans tenants', () => {
        const sut2 = new TenantAuthenticator(keys({ 'k-acme': 'acme', 'admin-ops': 'ops' }), 'default');
        expect(sut2.identify('Bearer k-acme')).toEqual({ tenant: 'acme', admin: false });
        expect(sut2.identify('admin-ops')).toEqual({ tenant: 'ops', admin: true });
        expect(() => sut2.identify(undefined)).toThrow(expect.objectContaining({ code: 'unauthorized' }) as Error);
        expect(new TenantAuthenticator(undefined, 'default').identify(undefined)).toEqual({
          tenant: 'default',
          admin: true,
        });
      });

      it('admits only an admin key where what is read spans tenants', () => {
        const withAdmin = new TenantAuthenticator(keys({ 'k-acme': 'acme', 'admin-ops': 'ops' }), 'default');
        expect(withAdmin.requireAdmin('Bearer admin-ops')).toEqual({ tenant: 'ops', admin: true });
        expect(() => withAdmin.requireAdmin('Bearer k-acme')).toThrow(
          expect.objectContaining({
            code: 'unknown_tenant',
            message: expect.stringMatching(/takes an admin key/),
          }) as Error,
        );
        expect(() => withAdmin.requireAdmin(undefined)).toThrow(
          expect.objectContaining({ code: 'unauthorized' }) as Error,
        );
      });

      it('answers unavailable with a retry-after while the keys have not been loaded', () => {
        const notYet = new TenantAuthenticator(keys({ 'k-acme': 'acme' }, false), 'default');
        expect(() => notYet.authenticate(undefined, 'Bearer k-acme')).toThrow(
          expect.objectContaining({ code: 'unavailable', retryAfterSeconds: 5 }) as Error,
        );
      });
    });
  });
});
