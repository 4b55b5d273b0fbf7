import { chatSuccess } from '../testing/chat-success.fixture';
import { type ChatSuccess, RouterError, SUBJECTS } from '@switchyard/contracts';
import type { EventPublisher } from '@switchyard/messaging';
import { recorder, strictFake, waitFor } from '@switchyard/testing';
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

const success = (requestId: string) => chatSuccess({ requestId, answer: { role: 'assistant', content: 'hi' } });

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

    describe('with an SDK attempt and no request id', () => {
      const digest = 'd'.repeat(64);
      const sdk = (attempt: number, bodyDigest = digest) => ({
        payload: { messages },
        authorization: 'k-acme',
        sdkAttempt: { attempt, bodyDigest },
      });

      /**
       * Imitates IdempotencyStore over maps, as Redis answers it: a first attempt overwrites its body's entry,
       * a retry sets it only when absent; the first claim of an id wins and later ones are pending until it
       * completes (its waiters then get the answer) or is released. `slow` holds every answer until let go.
       */
      function sdkSetup(opts: { remembered?: Record<string, string>; storeDown?: boolean; slow?: boolean } = {}) {
        const attempts = new Map(Object.entries(opts.remembered ?? {}));
        const claims = new Map<string, ChatSuccess | 'pending'>();
        const answered: Array<() => void> = [];
        let letGo: () => void = () => undefined;
        const held = new Promise<void>((resolve) => (letGo = resolve));
        const request = recorder(async (_subject: string, payload: unknown) => {
          if (opts.slow) await held;
          return success((payload as { requestId: string }).requestId);
        });
        const down = async () => Promise.reject(new Error('connect ECONNREFUSED'));
        const idempotency = strictFake<IdempotencyStore>('IdempotencyStore', {
          rememberFirstAttempt: opts.storeDown
            ? down
            : async (tenant, bodyDigest, requestId) => void attempts.set(`${tenant}:${bodyDigest}`, requestId),
          requestOfRetry: opts.storeDown
            ? down
            : async (tenant, bodyDigest, requestId) => {
                const key = `${tenant}:${bodyDigest}`;
                if (!attempts.has(key)) attempts.set(key, requestId);
                return attempts.get(key) as string;
              },
          claim: async (tenant, requestId): Promise<Claim> => {
            const held = claims.get(`${tenant}:${requestId}`);
            if (held === undefined) claims.set(`${tenant}:${requestId}`, 'pending');
            return held === undefined
              ? { kind: 'claimed' }
              : held === 'pending'
                ? { kind: 'pending' }
                : { kind: 'done', reply: held };
          },
          complete: async (tenant, requestId, reply) => {
            claims.set(`${tenant}:${requestId}`, reply);
            for (const wake of answered.splice(0)) wake();
          },
          release: async (tenant, requestId) => void claims.delete(`${tenant}:${requestId}`),
          waitForAnswer: async (tenant, requestId) => {
            while (claims.get(`${tenant}:${requestId}`) === 'pending') await new Promise<void>((r) => answered.push(r));
            const answer = claims.get(`${tenant}:${requestId}`);
            return answer === 'pending' ? undefined : answer;
          },
        });
        const publisher = strictFake<EventPublisher>('EventPublisher', {
          request: request as unknown as EventPublisher['request'],
        });
        const sut = new HandleChatRequest(config, publisher, idempotency, tenants);
        return { sut, request, attempts, claims, letGo, waiting: () => answered.length };
      }

      it('runs a first attempt under a fresh id remembered by tenant and body, guarded like an explicit id', async () => {
        const { sut, attempts, claims } = sdkSetup();
        const reply = await sut.execute(sdk(0));
        expect(reply).toMatchObject({ ok: true });
        expect(attempts.get(`acme:${digest}`)).toBe(reply.requestId);
        expect(claims.get(`acme:${reply.requestId}`)).toMatchObject({ ok: true });
      });

      it('answers a retry that arrives while its first attempt runs with that answer, calling nothing again', async () => {
        const { sut, request, letGo, waiting } = sdkSetup({ slow: true });
        const first = sut.execute(sdk(0));
        await waitFor('the first attempt sent', () => (request.calls.length === 1 ? true : undefined), 1000, 1);
        const retry = sut.execute(sdk(1));
        await waitFor('the retry waiting for it', () => (waiting() === 1 ? true : undefined), 1000, 1);
        letGo();
        const [a, b] = await Promise.all([first, retry]);
        expect(request.calls).toHaveLength(1);
        expect(b).toMatchObject({ ok: true, requestId: a.requestId, replayed: true });
      });

      it('answers a retry after its first attempt answered from the stored answer', async () => {
        const { sut, request } = sdkSetup();
        const first = await sut.execute(sdk(0));
        expect(await sut.execute(sdk(2))).toMatchObject({ ok: true, requestId: first.requestId, replayed: true });
        expect(request.calls).toHaveLength(1);
      });

      it('treats the same body sent again as a first attempt as a new request', async () => {
        const { sut, request, attempts } = sdkSetup();
        const first = await sut.execute(sdk(0));
        const again = await sut.execute(sdk(0));
        expect(again.requestId).not.toBe(first.requestId);
        expect(again).not.toHaveProperty('replayed');
        expect(request.calls).toHaveLength(2);
        expect(attempts.get(`acme:${digest}`)).toBe(again.requestId);
      });

      it('runs a retry whose first attempt is unknown under its own id, remembered for the retries after it', async () => {
        const { sut, request, attempts } = sdkSetup();
        const retry = await sut.execute(sdk(1));
        expect(attempts.get(`acme:${digest}`)).toBe(retry.requestId);
        expect(await sut.execute(sdk(2))).toMatchObject({ requestId: retry.requestId, replayed: true });
        expect(request.calls).toHaveLength(1);
      });

      it('keys attempts by tenant: the same body from another tenant is not a retry of its request', async () => {
        const { sut, request } = sdkSetup({ remembered: { [`beta:${digest}`]: 'theirs' } });
        const reply = await sut.execute(sdk(1));
        expect(reply.requestId).not.toBe('theirs');
        expect(request.calls).toHaveLength(1);
      });

      it('runs unguarded when the store is away: the caller asked for no guarantee', async () => {
        const { sut, request, claims } = sdkSetup({ storeDown: true });
        expect(await sut.execute(sdk(1))).toMatchObject({ ok: true });
        expect(request.calls).toHaveLength(1);
        expect(claims.size).toBe(0);
      });

      it('leaves the attempt aside when the caller gave an id', async () => {
        const { sut, attempts } = sdkSetup();
        expect(await sut.execute({ ...sdk(1), requestId: 'mine' })).toMatchObject({ ok: true, requestId: 'mine' });
        expect(attempts.size).toBe(0);
      });
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
