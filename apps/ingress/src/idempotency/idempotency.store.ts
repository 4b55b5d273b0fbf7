import { Inject, Injectable } from '@nestjs/common';
import type { ChatSuccess } from '@switchyard/contracts';
import type { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { INGRESS_REDIS } from './idempotency.constants';

const PENDING = 'pending';

export type Claim = { kind: 'claimed' } | { kind: 'done'; reply: ChatSuccess } | { kind: 'pending' };

/**
 * Remembers request ids in Redis, shared by every ingress replica, so a request repeated within the
 * window (a caller's retry after a timeout, a double click) gets the first answer and is not paid twice.
 */
@Injectable()
export class IdempotencyStore {
  constructor(@Inject(INGRESS_REDIS) private readonly redis: Redis) {}

  private key(tenant: string, requestId: string): string {
    return `switchyard:idem:${tenant}:${requestId}`;
  }

  /** Claims the id for this call, or says that another call has it (pending) or has answered it (done). */
  async claim(tenant: string, requestId: string, windowSeconds: number): Promise<Claim> {
    const key = this.key(tenant, requestId);
    const set = await this.redis.set(key, PENDING, 'EX', windowSeconds, 'NX');
    if (set === 'OK') return { kind: 'claimed' };
    const value = await this.redis.get(key);
    if (value === null) return this.claim(tenant, requestId, windowSeconds); // expired between the two calls
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

  /** Waits for the answer of a call that another request holds; undefined if it is released or time runs out. */
  async waitForAnswer(tenant: string, requestId: string, deadline: number): Promise<ChatSuccess | undefined> {
    const key = this.key(tenant, requestId);
    while (Date.now() < deadline) {
      const value = await this.redis.get(key);
      if (value === null) return undefined;
      if (value !== PENDING) return JSON.parse(value) as ChatSuccess;
      await sleep(25);
    }
    return undefined;
  }
}
