import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Inject, Logger, Post, Req, Res } from '@nestjs/common';
import { type ChatFailure, HTTP_HEADERS, parsePayload } from '@switchyard/contracts';
import { traceHttpRequest } from '@switchyard/observability';
import { RequestMetrics } from '@switchyard/observability';
import { type ChatRequestCommand, HandleChatRequest, failure } from '../chat/handle-chat-request.usecase';
import { INGRESS_CONFIG, type IngressConfig, SERVICE } from '../config';
import {
  anthropicMessagesRequestSchema,
  fromAnthropic,
  toAnthropic,
  toAnthropicError,
} from './anthropic-messages.mapper';
import { AnthropicMessageStream, toAnthropicStream } from './anthropic-messages.stream';
import { header, sendFailureAs, sendJson, startEventStream } from './http-reply';
import { readJsonBody } from './read-body';
import { readRequestIdHeaders } from './request-id-headers';

/** Anthropic's SDKs read the request id of an answer from this header (`message._request_id`). */
const ANTHROPIC_REQUEST_ID = 'request-id';

/** The Anthropic door: the Messages API (`POST /v1/messages`), for clients built on Anthropic's SDKs. */
@Controller('v1')
export class AnthropicMessagesController {
  private readonly logger = new Logger(AnthropicMessagesController.name);

  constructor(
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
    private readonly handleChatRequest: HandleChatRequest,
    private readonly metrics: RequestMetrics,
  ) {}

  @Post('messages')
  messages(@Req() req: IncomingMessage, @Res() res: ServerResponse): Promise<void> {
    return traceHttpRequest(SERVICE, '/v1/messages', req, res, () => this.create(req, res));
  }

  private async create(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let requestId = header(req, HTTP_HEADERS.requestId);
    let command: ChatRequestCommand | undefined; // set: the use case counts the request in the metrics
    try {
      // Before the body is read: an SDK's body is digested as it arrives (its retries are matched by it).
      const ids = readRequestIdHeaders(req);
      requestId = ids.requestId;
      const body = parsePayload(
        anthropicMessagesRequestSchema,
        await readJsonBody(req, this.config.MAX_REQUEST_BYTES, this.config.BODY_TIMEOUT_MS),
        'request',
      );
      const payload = fromAnthropic(body, { requestId, tenant: header(req, HTTP_HEADERS.tenant) });
      // Anthropic's SDKs send the key as `x-api-key` (or `Authorization: Bearer` given an auth token); the
      // authenticator takes a bare key as well as a Bearer one.
      command = {
        payload,
        authorization: header(req, 'authorization') ?? header(req, 'x-api-key'),
        sdkAttempt: ids.sdkAttempt(),
        door: 'http-anthropic',
      };
      if (body.stream) return await this.stream(res, command);
      const reply = await this.handleChatRequest.execute(command);
      if (!reply.ok) return sendError(res, reply);
      sendJson(res, 200, toAnthropic(reply), reply.requestId, { [ANTHROPIC_REQUEST_ID]: reply.requestId });
    } catch (err) {
      const reply = failure(err, requestId, this.logger);
      if (!command) this.metrics.answered('http-anthropic', reply);
      sendError(res, reply);
    }
  }

  /**
   * Server-sent events as the model writes: the first piece opens the stream. Until then a failure (and
   * any fallback to another model) is an ordinary error answer; after it, an error event ends the stream.
   */
  private async stream(res: ServerResponse, command: ChatRequestCommand): Promise<void> {
    const events = new AnthropicMessageStream();
    let started = false;
    const reply = await this.handleChatRequest.execute(command, (d) => {
      if (!started) {
        startEventStream(res, d.requestId, { [ANTHROPIC_REQUEST_ID]: d.requestId });
        for (const e of events.start(d.requestId, d.model)) res.write(e);
        started = true;
      }
      for (const e of events.delta(d)) res.write(e);
    });
    if (!reply.ok) {
      if (!started) return sendError(res, reply);
      res.end(events.error(reply.error, reply.requestId));
      return;
    }
    if (!started) startEventStream(res, reply.requestId, { [ANTHROPIC_REQUEST_ID]: reply.requestId });
    for (const e of started ? events.end(reply) : toAnthropicStream(reply)) res.write(e);
    res.end();
  }
}

function sendError(res: ServerResponse, reply: ChatFailure): void {
  sendFailureAs(
    res,
    reply,
    toAnthropicError(reply.error, reply.requestId),
    reply.requestId ? { [ANTHROPIC_REQUEST_ID]: reply.requestId } : {},
  );
}
