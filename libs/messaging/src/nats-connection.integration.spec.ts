import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeAccount, encodeOperator, encodeUser, fmtCreds } from '@nats-io/jwt';
import { createAccount, createOperator, createUser } from '@nats-io/nkeys';
import { connect } from '@nats-io/transport-node';
import type { NatsAuthEnv } from '@switchyard/runtime';
import { TemporaryNats, selfSignedCertificate } from '@switchyard/testing';
import { natsConnectionOptions } from './nats-connection';

// Every way a service can prove who it is, each against a nats-server of its own that accepts only that way.
describe(natsConnectionOptions.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'nats-auth-'));
  const file = (name: string, text: string | Uint8Array) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  /** Connects with the options a service would build from `auth`, and says whether the server let it in. */
  async function connects(server: TemporaryNats, auth: NatsAuthEnv, url = server.url): Promise<true | string> {
    try {
      const nc = await connect({
        ...natsConnectionOptions(url, 'ingress', auth),
        timeout: 3000,
        maxReconnectAttempts: 0,
      });
      await nc.flush();
      await nc.close();
      return true;
    } catch (err) {
      return (err as Error).message;
    }
  }

  async function withServer(config: string, args: string[], run: (server: TemporaryNats) => Promise<void>) {
    const server = new TemporaryNats(file(`${Math.random().toString(36).slice(2)}.conf`, config), args);
    await server.start();
    try {
      await run(server);
    } finally {
      await server.stop();
    }
  }

  it('authenticates with a token', async () => {
    await withServer('authorization { token: "s3cret-token" }\n', [], async (server) => {
      expect(await connects(server, { NATS_TOKEN: 's3cret-token' })).toBe(true);
      expect(await connects(server, { NATS_TOKEN: 'wrong' })).toMatch(/Authorization Violation/i);
    });
  });

  it('authenticates with an nkey seed read from a file', async () => {
    const user = createUser();
    const seed = file('user.nk', user.getSeed());
    await withServer(`authorization { users: [ { nkey: ${user.getPublicKey()} } ] }\n`, [], async (server) => {
      expect(await connects(server, { NATS_NKEY_SEED_FILE: seed })).toBe(true);
      expect(await connects(server, { NATS_NKEY_SEED_FILE: file('other.nk', createUser().getSeed()) })).toMatch(
        /Authorization Violation/i,
      );
    });
  });

  it('authenticates with a .creds file against an operator-mode server', async () => {
    const operator = createOperator();
    const account = createAccount();
    const user = createUser();
    const unlimited = { subs: -1, data: -1, payload: -1 };
    const operatorJwt = await encodeOperator('switchyard-test', operator);
    const accountJwt = await encodeAccount(
      'ROUTER',
      account,
      { limits: { ...unlimited, conn: -1, leaf: -1, imports: -1, exports: -1, wildcards: true } },
      { signer: operator },
    );
    const creds = file('ingress.creds', fmtCreds(await encodeUser('ingress', user, account, unlimited), user));
    const config = `operator: ${operatorJwt}\nresolver: MEMORY\nresolver_preload: { ${account.getPublicKey()}: ${accountJwt} }\n`;
    await withServer(config, [], async (server) => {
      expect(await connects(server, { NATS_CREDS_FILE: creds })).toBe(true);
      expect(await connects(server, {})).toMatch(/Authorization Violation/i);
    });
  });

  it('connects over TLS when given the CA, and refuses a server it cannot verify', async () => {
    const { key, cert } = selfSignedCertificate(dir);
    await withServer(
      'authorization { token: "t" }\n',
      ['--tls', '--tlscert', cert, '--tlskey', key],
      async (server) => {
        expect(await connects(server, { NATS_TOKEN: 't', NATS_TLS_CA_FILE: cert })).toBe(true);
        expect(await connects(server, { NATS_TOKEN: 't' }, `tls://127.0.0.1:${server.port}`)).not.toBe(true);
      },
    );
  });

  it('says which file it cannot read', () => {
    expect(() => natsConnectionOptions('nats://x', 'ingress', { NATS_CREDS_FILE: join(dir, 'missing.creds') })).toThrow(
      /NATS_CREDS_FILE: cannot read .*missing\.creds/,
    );
  });
});
