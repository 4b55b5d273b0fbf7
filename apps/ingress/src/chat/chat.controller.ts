import { Controller, Inject } from '@nestjs/common';
import {
  type ChatDelta,
  type ChatFailure,
  type ChatReply,
  type FeedbackAccepted,
  HEADERS,
  RouterError,
  SUBJECTS,
} from '@switchyard/contracts';
import { EventPublisher, type IncomingMessage, OnSubject } from '@switchyard/messaging';
import { RequestMetrics } from '@switchyard/observability';
import { INGRESS_CONFIG, type IngressConfig } from '../config';
import { SubmitFeedback } from '../feedback/submit-feedback.usecase';
import { HandleChatRequest } from './handle-chat-request.usecase';

/** The public NATS subjects. Callers send plain JSON with any NATS client and get plain JSON back. */
@Controller()
export class ChatController {
  constructor(
    @Inject(INGRESS_CONFIG) private readonly config: IngressConfig,
    private readonly handleChatRequest: HandleChatRequest,
    private readonly submitFeedback: SubmitFeedback,
    private readonly publisher: EventPublisher,
    private readonly metrics: RequestMetrics,
  ) {}

  @OnSubject(SUBJECTS.request)
  async onRequest(msg: IncomingMessage): Promise<ChatReply> {
    const payload = this.decode(msg);
    if ('ok' in payload) {
      this.metrics.answered('nats', payload.failure);
      return payload.failure;
    }
    // `stream: true`: the pieces go to the caller's inbox as the model writes them, then the whole reply.
    const inbox = msg.reply;
    const onDelta = inbox ? (delta: ChatDelta) => this.publisher.reply(inbox, delta) : undefined;
    return this.handleChatRequest.execute(
      { payload: payload.value, authorization: msg.header(HEADERS.authorization), door: 'nats' },
      onDelta,
    );
  }

  @OnSubject(SUBJECTS.feedback)
  async onFeedback(msg: IncomingMessage): Promise<FeedbackAccepted | ChatFailure> {
    const payload = this.decode(msg);
    if ('ok' in payload) return payload.failure;
    return this.submitFeedback.execute({ payload: payload.value, authorization: msg.header(HEADERS.authorization) });
  }

  private decode(msg: IncomingMessage): { value: unknown } | { ok: false; failure: ChatFailure } {
    try {
      if (msg.size > this.config.MAX_REQUEST_BYTES)
        throw new RouterError(
          'payload_too_large',
          `request is ${msg.size} bytes; the limit is ${this.config.MAX_REQUEST_BYTES}`,
        );
      return { value: msg.json() };
    } catch (err) {
      const error = err instanceof RouterError ? err.toBody() : { code: 'invalid_json' as const, message: String(err) };
      return { ok: false, failure: { ok: false, error } };
    }
  }
}
