import { Inject, Injectable } from '@nestjs/common';
import { type ChatSuccess, RouterError } from '@switchyard/contracts';
import type { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { INGRESS_REDIS } from './idempotency.constants';

const PENDING = 'pending';
/** Seconds a caller should wait before retrying while the store is away (it reconnects within a second). */
const STORE_DOWN_RETRY_SECONDS = 2;

export type Claim = { kind: 'claimed' } | { kind: 'done'; reply: ChatSuccess } | { kind: 'pending' };

/**
 * Remembers request ids in Redis, shared by every ingress replica, so a request repeated within the
 * window (a caller's retry after a timeout, a double click) gets the first answer and is not paid twice.
 * While Redis is away, a request with an id is refused with `unavailable` (never answered without the
 * guarantee it asked for); requests without one do not come here, except an SDK's (its attempts are
 * remembered by body, best effort: see rememberFirstAttempt).
 */
@Injectable()
export class IdempotencyStore {
  constructor(@Inject(INGRESS_REDIS) private readonly redis: Redis) {}

  private key(tenant: string, requestId: string): string {
    return `switchyard:idem:${tenant}:${requestId}`;
  }

  /**
   * Claims the id for this call (for `pendingSeconds` at most, until it completes or is released), or says
   * that another call has it (pending) or has answered it (done).
   */
  async claim(tenant: string, requestId: string, pendingSeconds: number): Promise<Claim> {
    const key = this.key(tenant, requestId);
    const [set, value] = await this.guard(async () => {
      const claimed = await this.redis.set(key, PENDING, 'EX', pendingSeconds, 'NX');
      return [claimed, claimed === 'OK' ? null : await this.redis.get(key)] as const;
    });
    if (set === 'OK') return { kind: 'claimed' };
    if (value === null) return this.claim(tenant, requestId, pendingSeconds); // expired between the two calls
    if (value === PENDING) return { kind: 'pending' };
    return { kind: 'done', reply: JSON.parse(value) as ChatSuccess };
  }

  async complete(tenant: string, requestId: string, reply: ChatSuccess, windowSeconds: number): Promise<void> {
    await this.redis.set(this.key(tenant, requestId), JSON.stringify(reply), 'EX', windowSeconds);
  }

  /** Forgets a claim whose call failed, so a retry with the same id runs again. */
  async release(tenant: string, requestId: string): Promise<void> {
    await this.redis.del(this.key(tenant, requestId));
  }

  private attemptKey(tenant: string, bodyDigest: string): string {
    return `switchyard:idem-sdk:${tenant}:${bodyDigest}`;
  }

  /**
   * Remembers which request an SDK's first attempt of this body (its SHA-256) is, so that the SDK's own
   * retries, which carry no id, are answered as re-sends of it. Overwrites: the same body sent again on
   * purpose is a new request, and the retries that follow are its own. Store errors are thrown as they
   * are: the caller decides that a missing guess is not a reason to refuse.
   */
  async rememberFirstAttempt(
    tenant: string,
    bodyDigest: string,
    requestId: string,
    windowSeconds: number,
  ): Promise<void> {
    await this.redis.set(this.attemptKey(tenant, bodyDigest), requestId, 'EX', windowSeconds);
  }

  /**
   * The request an SDK's retry of this body belongs to: its first attempt's; or, when none is remembered
   * (the first attempt never got this far, or the window passed), `requestId`, remembered for the retries
   * after it (of concurrent ones, exactly one sets it and the others get its id).
   */
  async requestOfRetry(tenant: string, bodyDigest: string, requestId: string, windowSeconds: number): Promise<string> {
    const key = this.attemptKey(tenant, bodyDigest);
    if ((await this.redis.set(key, requestId, 'EX', windowSeconds, 'NX')) === 'OK') return requestId;
    const known = await this.redis.get(key);
    return known ?? this.requestOfRetry(tenant, bodyDigest, requestId, windowSeconds); // expired in between
  }

  /** Waits for the answer of a call that another request holds; undefined if it is released or time runs out. */
  async waitForAnswer(tenant: string, requestId: string, deadline: number): Promise<ChatSuccess | undefined> {
    const key = this.key(tenant, requestId);
    while (Date.now() < deadline) {
      const value = await this.guard(() => this.redis.get(key));
      if (value === null) return undefined;
      if (value !== PENDING) return JSON.parse(value) as ChatSuccess;
      await sleep(25);
    }
    return undefined;
  }

  private async guard<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      throw new RouterError(
        'unavailable',
        `request ids cannot be checked right now (the idempotency store is unreachable: ${(err as Error).message}); ` +
          'retry, or send the request without a requestId',
        'requestId',
        STORE_DOWN_RETRY_SECONDS,
      );
    }
  }
}
