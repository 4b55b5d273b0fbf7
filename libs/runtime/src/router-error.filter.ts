import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { HTTP_STATUS_BY_CODE, RouterError } from '@switchyard/contracts';
import type { ServerResponse } from 'node:http';

/**
 * A RouterError thrown by an HTTP handler answered as the API answers it everywhere: the status of its
 * code, `{ error: { code, message, field? } }`, and Retry-After when it has one (Nest would answer 500).
 */
@Catch(RouterError)
export class RouterErrorFilter implements ExceptionFilter {
  catch(err: RouterError, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<ServerResponse>();
    const text = JSON.stringify({ error: err.toBody() });
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    };
    if (err.retryAfterSeconds !== undefined) headers['retry-after'] = Math.ceil(err.retryAfterSeconds);
    res.writeHead(HTTP_STATUS_BY_CODE[err.code], headers).end(text);
  }
}
