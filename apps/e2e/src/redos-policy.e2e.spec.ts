import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChatReply, type ChatSuccess, SUBJECTS } from '@switchyard/contracts';
import { ServiceProcess, findWorkspaceRoot, freePort } from '@switchyard/launcher';
import { testInfra, uniqueName } from '@switchyard/testing';
import { authHeaders, e2eStack, useStack } from './stack';

// A policy whose regex backtracks catastrophically on JavaScript's engine (`^(a+)+$` held decision-engine
// 40 s on one 31-character prompt, and every tenant with it): on RE2 it is one linear pass.
const dir = mkdtempSync(join(tmpdir(), 'redos-e2e-'));
const policy = (regex: string) => `version: redos@1
models:
  - { id: cheap, provider: simulated, tier: cheap, priceUsdPerMTok: { input: 0.1, output: 0.1 } }
  - { id: strong, provider: simulated, tier: premium, priceUsdPerMTok: { input: 5, output: 5 } }
rules:
  - { name: all-a, when: { regex: "${regex}" }, route: { model: strong } }
default: { route: { model: cheap } }
`;
const evilFile = join(dir, 'evil.yaml');
writeFileSync(evilFile, policy('^(a+)+$'));

describe('a policy regex built to backtrack', () => {
  const stack = e2eStack(uniqueName('redos'), { env: { POLICY_FILE: evilFile } });
  const nc = useStack(stack);

  const ask = async (content: string) =>
    (
      await nc().request(SUBJECTS.request, JSON.stringify({ messages: [{ role: 'user', content }] }), {
        timeout: 10_000,
        headers: authHeaders(),
      })
    ).json<ChatReply>();

  it('decides hostile prompts in one pass while every other request is answered', async () => {
    const started = Date.now();
    const hostile = [`${'a'.repeat(30)}!`, `${'a'.repeat(60_000)}!`, 'a'.repeat(60_000)];
    const replies = await Promise.all([
      ...hostile.map((p) => ask(p)),
      ...Array.from({ length: 50 }, (_, i) => ask(`an ordinary question ${i}`)),
    ]);
    const took = Date.now() - started;
    expect(replies.every((r) => r.ok)).toBe(true);
    const models = replies.map((r) => (r as ChatSuccess).model);
    expect(models.slice(0, 3)).toEqual(['cheap', 'cheap', 'strong']);
    console.log(`ReDoS policy: ${hostile.length} hostile prompts and 50 others answered in ${took} ms in all`);
  });

  it('refuses at start-up a policy regex that needs backtracking features, naming the field', async () => {
    const lookbehind = join(dir, 'lookbehind.yaml');
    writeFileSync(lookbehind, policy('(?<=a)b'));
    const engine = new ServiceProcess(
      'decision-engine',
      await freePort(),
      { NATS_URL: testInfra.natsUrl, REDIS_URL: testInfra.redisUrl, POLICY_FILE: lookbehind },
      findWorkspaceRoot(__dirname),
    );
    const failure = await engine.start().then(
      () => 'started',
      (err: Error) => err.message,
    );
    await engine.stop();
    expect(failure).toMatch(/exited with 1 before it was ready/);
    expect(failure).toMatch(/rules\.0\.when\.regex: .*RE2/);
  });
});
