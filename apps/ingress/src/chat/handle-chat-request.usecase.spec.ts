import { type ChatSuccess, RouterError, SUBJECTS } from '@switchyard/contracts';
import type { EventPublisher } from '@switchyard/messaging';
import { recorder, strictFake } from '@switchyard/testing';
import { ingressEnvSchema } from '../config';
import type { Claim, IdempotencyStore } from '../idempotency/idempotency.store';
import { TenantAuthenticator } from '@switchyard/tenancy';
import { HandleChatRequest } from './handle-chat-request.usecase';

const config = ingressEnvSchema.parse({});
// Imitates TenantKeyCache with one key loaded.
const tenants = new TenantAuthenticator(
  { loaded: true, holderOf: (key) => (key === 'k-acme' ? { tenant: 'acme', admin: false } : undefined) },
  config.DEFAULT_TENANT,
);
const messages = [{ role: 'user' as const, content: 'hello' }];

function success(requestId: string): ChatSuccess {
  return {
    ok: true,
    requestId,
    tenant: 'acme',
    model: 'm',
    provider: 'simulated',
    answer: { role: 'assistant', content: 'hi' },
    finishReason: 'stop',
    decision: {
      plan: { kind: 'single', model: 'm' },
      method: 'rule',
      reason: 'r',
      params: {},
      policyVersion: 'p',
      alternatives: ['m'],
    },
    difficulty: 0,
    usage: { inputTokens: 1, outputTokens: 1, estimated: false },
    costUsd: 0.000001,
    latency: { totalMs: 1, routingMs: 0, providerMs: 1 },
  };
}

describe(HandleChatRequest.name, () => {
  function setup(
    opts: { reply?: (payload: { requestId: string }) => Promise<unknown>; claim?: Claim; waited?: ChatSuccess } = {},
  ) {
    const request = recorder(async (_subject: string, payload: unknown) =>
      (opts.reply ?? (async (p: { requestId: string }) => success(p.requestId)))(payload as { requestId: string }),
    );
    const publisher = strictFake<EventPublisher>('EventPublisher', {
      request: request as unknown as EventPublisher['request'],
    });
    const complete = recorder(async () => undefined);
    const release = recorder(async () => undefined);
    const idempotency = strictFake<IdempotencyStore>('IdempotencyStore', {
      claim: async () => opts.claim ?? { kind: 'claimed' },
      complete,
      release,
      waitForAnswer: async () => opts.waited,
    });
    return { sut: new HandleChatRequest(config, publisher, idempotency, tenants), request, complete, release };
  }

  describe('execute', () => {
    it('sends a valid request down the pipeline and returns its answer', async () => {
      const { sut, request, complete } = setup();
      const reply = await sut.execute({ payload: { requestId: 'r-1', messages }, authorization: 'Bearer k-acme' });
      expect(reply).toMatchObject({ ok: true, requestId: 'r-1', tenant: 'acme' });
      expect(request.calls[0][0]).toBe(SUBJECTS.requestReceived);
      expect(request.calls[0][1]).toMatchObject({
        requestId: 'r-1',
        tenant: 'acme',
        request: { messages, tenant: 'acme', requestId: 'r-1' },
      });
      expect(complete.calls).toHaveLength(1);
    });

    it('gives a request without an id a fresh one and skips idempotency', async () => {
      const { sut, complete } = setup();
      const reply = await sut.execute({ payload: { messages }, authorization: 'k-acme' });
      expect(reply.ok && reply.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(complete.calls).toHaveLength(0);
    });

    it('answers invalid input with the field and never publishes', async () => {
      const { sut, request } = setup();
      expect(await sut.execute({ payload: { messages: [] }, authorization: 'k-acme' })).toMatchObject({
        ok: false,
        error: { code: 'invalid_request', field: 'messages' },
      });
      expect(request.calls).toHaveLength(0);
    });

    it('returns the stored answer for a repeated id without publishing', async () => {
      const { sut, request } = setup({ claim: { kind: 'done', reply: success('r-2') } });
      expect(await sut.execute({ payload: { requestId: 'r-2', messages }, authorization: 'k-acme' })).toMatchObject({
        ok: true,
        requestId: 'r-2',
        replayed: true,
      });
      expect(request.calls).toHaveLength(0);
    });

    it('waits for the answer of a call still in flight with the same id', async () => {
      const { sut, request } = setup({ claim: { kind: 'pending' }, waited: success('r-3') });
      expect(await sut.execute({ payload: { requestId: 'r-3', messages }, authorization: 'k-acme' })).toMatchObject({
        ok: true,
        replayed: true,
      });
      expect(request.calls).toHaveLength(0);
    });

    it('releases the id when the pipeline fails, so a retry runs again', async () => {
      const { sut, release, complete } = setup({
        reply: async () => Promise.reject(new RouterError('timeout', 'no answer')),
      });
      expect(await sut.execute({ payload: { requestId: 'r-4', messages }, authorization: 'k-acme' })).toMatchObject({
        ok: false,
        requestId: 'r-4',
        error: { code: 'timeout' },
      });
      expect(release.calls).toHaveLength(1);
      expect(complete.calls).toHaveLength(0);
    });

    it('releases the id when the answer is an error', async () => {
      const { sut, release } = setup({
        reply: async (p) => ({
          ok: false,
          requestId: p.requestId,
          error: { code: 'all_quotas_exhausted', message: 'x' },
        }),
      });
      await sut.execute({ payload: { requestId: 'r-5', messages }, authorization: 'k-acme' });
      expect(release.calls).toHaveLength(1);
    });

    it('passes streamed pieces to the caller that can take them, and never asks a plain caller to stream', async () => {
      const requestStream = recorder(
        async (_s: string, payload: unknown, _t: number, _m: unknown, onPart: (p: unknown) => void) => {
          const id = (payload as { requestId: string }).requestId;
          onPart({ requestId: id, model: 'm', delta: 'Hel' });
          onPart({ requestId: id, model: 'm', delta: 'lo' });
          return success(id);
        },
      );
      const request = recorder(async (_s: string, payload: unknown) =>
        success((payload as { requestId: string }).requestId),
      );
      const publisher = strictFake<EventPublisher>('EventPublisher', {
        request: request as unknown as EventPublisher['request'],
        requestStream: requestStream as unknown as EventPublisher['requestStream'],
      });
      const idempotency = strictFake<IdempotencyStore>('IdempotencyStore', {});
      const sut = new HandleChatRequest(config, publisher, idempotency, tenants);
      const deltas: string[] = [];
      expect(
        await sut.execute({ payload: { messages, stream: true }, authorization: 'k-acme' }, (d) =>
          deltas.push(d.delta),
        ),
      ).toMatchObject({ ok: true });
      expect(deltas).toEqual(['Hel', 'lo']);
      expect(requestStream.calls[0][1]).toMatchObject({ request: { stream: true } });
      await sut.execute({ payload: { messages, stream: true }, authorization: 'k-acme' });
      expect(request.calls[0][1]).toMatchObject({ request: { stream: false } });
    });

    it('rejects a missing key', async () => {
      const { sut } = setup();
      expect(await sut.execute({ payload: { messages } })).toMatchObject({
        ok: false,
        error: { code: 'unauthorized' },
      });
    });
  });
});
