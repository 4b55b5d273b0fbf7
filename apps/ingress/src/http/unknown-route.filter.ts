import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ArgumentsHost, Catch, type ExceptionFilter, NotFoundException } from '@nestjs/common';
import { sendFailure } from './http.controller';

/** Paths and methods ingress does not serve, answered in the OpenAI error shape SDKs parse (not Nest's). */
@Catch(NotFoundException)
export class UnknownRouteFilter implements ExceptionFilter {
  catch(_exception: NotFoundException, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<IncomingMessage>();
    sendFailure(http.getResponse<ServerResponse>(), {
      ok: false,
      error: {
        code: 'not_found',
        message: `${req.method ?? '?'} ${(req.url ?? '').split('?')[0]} is not served here: use POST /v1/chat/completions, POST /v1/messages, GET /v1/models or POST /v1/feedback`,
      },
    });
  }
}
