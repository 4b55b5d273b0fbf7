import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Inject, Logger, Post, Req, Res } from '@nestjs/common';
import { traceHttpRequest } from '@switchyard/observability';
import { RequestMetrics } from '@switchyard/observability';
import { HandleChatRequest } from '../chat/handle-chat-request.usecase';
import { INGRESS_CONFIG, type IngressConfig, SERVICE } from '../config';
import {
  anthropicMessagesRequestSchema,
  fromAnthropic,
  toAnthropic,
  toAnthropicError,
} from './anthropic-messages.mapper';
import { AnthropicMessageStream, toAnthropicStream } from './anthropic-messages.stream';
import { type ChatDoorDeps, type ChatDoorFormat, serveChat } from './chat-door';
import { header } from './http-reply';

/** Anthropic's SDKs read the request id of an answer, and of an error, from this header (`message._request_id`). */
const requestIdHeader = (requestId: string) => ({ 'request-id': requestId });

/** The Messages API's wire format. */
const ANTHROPIC_MESSAGES_DOOR: ChatDoorFormat<typeof anthropicMessagesRequestSchema> = {
  door: 'http-anthropic',
  schema: anthropicMessagesRequestSchema,
  toRequest: fromAnthropic,
  // Anthropic's SDKs send the key as `x-api-key` (or `Authorization: Bearer` given an auth token); the
  // authenticator takes a bare key as well as a Bearer one.
  authorization: (req) => header(req, 'authorization') ?? header(req, 'x-api-key'),
  answer: toAnthropic,
  error: (reply) => toAnthropicError(reply.error, reply.requestId),
  headers: requestIdHeader,
  streamOf: (body) => {
    if (!body.stream) return undefined;
    const events = new AnthropicMessageStream();
    return {
      open: (d) => events.start(d.requestId, d.model),
      delta: (d) => events.delta(d),
      failed: (reply) => events.error(reply.error, reply.requestId),
      end: (reply, started) => (started ? events.end(reply) : toAnthropicStream(reply)),
    };
  },
};

/** The Anthropic door: the Messages API (`POST /v1/messages`), for clients built on Anthropic's SDKs. */
@Controller('v1')
export class AnthropicMessagesController {
  private readonly door: ChatDoorDeps;

  constructor(
    @Inject(INGRESS_CONFIG) config: IngressConfig,
    handleChatRequest: HandleChatRequest,
    metrics: RequestMetrics,
  ) {
    this.door = { config, handleChatRequest, metrics, logger: new Logger(AnthropicMessagesController.name) };
  }

  @Post('messages')
  messages(@Req() req: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    return traceHttpRequest(SERVICE, '/v1/messages', req, res, () =>
      serveChat(ANTHROPIC_MESSAGES_DOOR, this.door, req, res),
    );
  }
}
