import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { RouterError } from '@switchyard/contracts';
import { readJsonBody } from './read-body';
import { digestWhileRead, readRequestIdHeaders, requestIdFromHeaders, sdkAttemptOf } from './request-id-headers';

// The request as readJsonBody sees it: a readable stream with headers.
function request(headers: Record<string, string>) {
  return Object.assign(new PassThrough(), { headers }) as unknown as IncomingMessage & PassThrough;
}

describe('request id headers', () => {
  describe(requestIdFromHeaders.name, () => {
    it('takes x-request-id when it is the only one', () => {
      expect(requestIdFromHeaders({ 'x-request-id': 'r-1' })).toBe('r-1');
      expect(requestIdFromHeaders({})).toBeUndefined();
    });

    it('takes Idempotency-Key as the request id, bare or as a structured-field string', () => {
      expect(requestIdFromHeaders({ 'idempotency-key': '8e03978e-40d5-43e8-bc93-6894a57f9324' })).toBe(
        '8e03978e-40d5-43e8-bc93-6894a57f9324',
      );
      expect(requestIdFromHeaders({ 'idempotency-key': '"key-1"' })).toBe('key-1');
    });

    it('accepts both headers when they name the same id', () => {
      expect(requestIdFromHeaders({ 'x-request-id': 'same', 'idempotency-key': 'same' })).toBe('same');
    });

    it('refuses a malformed key with a 400 naming the header', () => {
      for (const bad of ['', '""', 'a b', 'k'.repeat(129), 'ключ', 'one, two']) {
        const thrown = thrownBy(() => requestIdFromHeaders({ 'idempotency-key': bad }));
        expect(thrown).toBeInstanceOf(RouterError);
        expect(thrown).toMatchObject({ code: 'invalid_request', field: 'Idempotency-Key' });
        expect((thrown as Error).message).toContain('Idempotency-Key');
      }
    });

    it('refuses two headers that name different requests, naming both', () => {
      const thrown = thrownBy(() => requestIdFromHeaders({ 'x-request-id': 'a', 'idempotency-key': 'b' }));
      expect(thrown).toBeInstanceOf(RouterError);
      expect(thrown).toMatchObject({ code: 'invalid_request' });
      expect((thrown as Error).message).toMatch(/x-request-id.*Idempotency-Key/);
    });
  });

  describe(sdkAttemptOf.name, () => {
    it('reads the attempt number the SDKs send', () => {
      expect(sdkAttemptOf({ 'x-stainless-retry-count': '0' })).toBe(0);
      expect(sdkAttemptOf({ 'x-stainless-retry-count': '2' })).toBe(2);
    });

    it('ignores callers without it and values that are not an attempt number', () => {
      expect(sdkAttemptOf({})).toBeUndefined();
      for (const odd of ['', '-1', '1.5', 'two', '99999'])
        expect(sdkAttemptOf({ 'x-stainless-retry-count': odd })).toBeUndefined();
    });
  });

  describe(digestWhileRead.name, () => {
    it('gives the SHA-256 of the bytes the reader read, chunk by chunk', async () => {
      const body = request({});
      const digest = digestWhileRead(body);
      const read = readJsonBody(body, 1024, 1000);
      body.write('{"model":"auto",');
      body.end('"messages":[]}');
      expect(await read).toEqual({ model: 'auto', messages: [] });
      expect(digest()).toBe(createHash('sha256').update('{"model":"auto","messages":[]}').digest('hex'));
    });
  });

  describe(readRequestIdHeaders.name, () => {
    it('digests the body of an SDK attempt', async () => {
      const req = request({ 'x-stainless-retry-count': '1', 'idempotency-key': 'k-1' });
      const ids = readRequestIdHeaders(req);
      const read = readJsonBody(req, 1024, 1000);
      req.end('{}');
      await read;
      expect(ids.requestId).toBe('k-1');
      expect(ids.sdkAttempt()).toEqual({ attempt: 1, bodyDigest: createHash('sha256').update('{}').digest('hex') });
    });

    it('leaves the body of other callers alone', () => {
      const req = request({});
      expect(readRequestIdHeaders(req).sdkAttempt()).toBeUndefined();
      expect(req.listenerCount('data')).toBe(0);
    });
  });
});

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (err) {
    return err;
  }
  return undefined;
}
