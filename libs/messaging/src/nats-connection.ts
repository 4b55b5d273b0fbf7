import { readFileSync } from 'node:fs';
import { type ConnectionOptions, credsAuthenticator, nkeyAuthenticator } from '@nats-io/transport-node';
import type { NatsAuthEnv } from '@switchyard/runtime';

/**
 * The inbox prefix of a process: each service its own, so the server can let a stage answer ingress's
 * requests (publish to `_INBOX_ingress.>`) without letting anyone read another service's replies.
 */
export function inboxPrefixOf(service: string): string {
  return `_INBOX_${service}`;
}

/** How a process connects to NATS: servers, its name and inbox prefix, its credentials and TLS. */
export function natsConnectionOptions(url: string, service: string, auth: NatsAuthEnv = {}): ConnectionOptions {
  const options: ConnectionOptions = {
    servers: url.split(','),
    name: service,
    inboxPrefix: inboxPrefixOf(service),
    // Otherwise every request and JetStream publish builds two or three Errors (stack traces) in case it
    // fails; ours name what failed and where without them.
    noAsyncTraces: true,
  };
  if (auth.NATS_USER !== undefined) {
    options.user = auth.NATS_USER;
    options.pass = auth.NATS_PASSWORD;
  }
  if (auth.NATS_TOKEN !== undefined) options.token = auth.NATS_TOKEN;
  if (auth.NATS_NKEY_SEED_FILE !== undefined)
    options.authenticator = nkeyAuthenticator(
      new TextEncoder().encode(readSecret(auth.NATS_NKEY_SEED_FILE, 'NATS_NKEY_SEED_FILE').trim()),
    );
  if (auth.NATS_CREDS_FILE !== undefined)
    // As written: the .creds format's markers end in newlines its parser needs.
    options.authenticator = credsAuthenticator(
      new TextEncoder().encode(readSecret(auth.NATS_CREDS_FILE, 'NATS_CREDS_FILE')),
    );
  const tls = {
    ...(auth.NATS_TLS_CA_FILE ? { caFile: auth.NATS_TLS_CA_FILE } : {}),
    ...(auth.NATS_TLS_CERT_FILE ? { certFile: auth.NATS_TLS_CERT_FILE, keyFile: auth.NATS_TLS_KEY_FILE } : {}),
  };
  if (Object.keys(tls).length > 0 || /(^|,)tls:\/\//.test(url)) options.tls = tls;
  return options;
}

/** How the connection authenticates, for the start-up log (never the secret). */
export function natsAuthMethod(auth: NatsAuthEnv): string {
  const method = auth.NATS_USER
    ? `user ${auth.NATS_USER}`
    : auth.NATS_TOKEN
      ? 'token'
      : auth.NATS_NKEY_SEED_FILE
        ? 'nkey'
        : auth.NATS_CREDS_FILE
          ? 'credentials file'
          : 'none';
  return method;
}

function readSecret(file: string, variable: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`${variable}: cannot read ${file}: ${(err as Error).message}`);
  }
}
