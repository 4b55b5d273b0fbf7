import { z } from 'zod';
import { ConfigError, baseEnvSchema, loadConfig, port } from './config';

const schema = baseEnvSchema.extend({
  HTTP_PORT: port(3000),
  MAX_BYTES: z.coerce.number().int().positive().default(10),
});

describe(loadConfig.name, () => {
  it('fills defaults for the local servers', () => {
    expect(loadConfig('svc', schema, {})).toMatchObject({
      NATS_URL: 'nats://127.0.0.1:4222',
      HTTP_PORT: 3000,
      LOG_LEVEL: 'info',
      LOG_CONTENT: false,
      RECORD_PROMPTS: 'full',
      MAX_BYTES: 10,
    });
  });
  it('logs content only when LOG_CONTENT says true', () => {
    expect(loadConfig('svc', schema, { LOG_CONTENT: 'true' }).LOG_CONTENT).toBe(true);
    expect(() => loadConfig('svc', schema, { LOG_CONTENT: 'yes' })).toThrow(/LOG_CONTENT="yes"/);
  });
  it('keeps the text off events and records only when RECORD_PROMPTS says none', () => {
    expect(loadConfig('svc', schema, { RECORD_PROMPTS: 'none' }).RECORD_PROMPTS).toBe('none');
    expect(() => loadConfig('svc', schema, { RECORD_PROMPTS: 'off' })).toThrow(/RECORD_PROMPTS="off"/);
  });
  it('treats empty strings as unset', () => {
    expect(loadConfig('svc', schema, { HTTP_PORT: '' }).HTTP_PORT).toBe(3000);
  });
  it('names every bad variable and its value', () => {
    expect(() => loadConfig('svc', schema, { HTTP_PORT: 'eighty', LOG_LEVEL: 'loud' })).toThrow(ConfigError);
    expect(() => loadConfig('svc', schema, { HTTP_PORT: 'eighty', LOG_LEVEL: 'loud' })).toThrow(
      /LOG_LEVEL="loud".*HTTP_PORT="eighty"|HTTP_PORT="eighty".*LOG_LEVEL="loud"/,
    );
  });
});

describe('NATS credentials in every service config', () => {
  it('takes one way of authenticating, with what it needs', () => {
    expect(loadConfig('svc', schema, { NATS_USER: 'ingress', NATS_PASSWORD: 'p' })).toMatchObject({
      NATS_USER: 'ingress',
      NATS_PASSWORD: 'p',
    });
    expect(() => loadConfig('svc', schema, { NATS_USER: 'ingress' })).toThrow(
      /NATS_PASSWORD=null: NATS_USER and NATS_PASSWORD go together/,
    );
    expect(() => loadConfig('svc', schema, { NATS_TOKEN: 't', NATS_CREDS_FILE: '/x.creds' })).toThrow(
      /give one of NATS_USER\/NATS_PASSWORD, NATS_TOKEN, NATS_NKEY_SEED_FILE, NATS_CREDS_FILE/,
    );
    expect(() => loadConfig('svc', schema, { NATS_TLS_CERT_FILE: '/c.pem' })).toThrow(
      /NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE go together/,
    );
  });
});
