import type { z } from 'zod';
import { RouterError } from './errors';

/**
 * Parses a payload against its schema and turns the first failure into an `invalid_request` RouterError
 * that names the field, so every service answers bad input the same way.
 */
export function parsePayload<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
  const message = issue ? `${what}: ${field ? `${field}: ` : ''}${issue.message}` : `${what} is invalid`;
  throw new RouterError('invalid_request', message, field);
}

/** Decodes JSON bytes or text; a syntax error becomes `invalid_json`. */
export function decodeJson(data: Uint8Array | string): unknown {
  const text =
    typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8');
  if (text.trim() === '') throw new RouterError('invalid_json', 'body is empty; expected a JSON object');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new RouterError('invalid_json', `body is not valid JSON: ${(err as Error).message}`);
  }
}
