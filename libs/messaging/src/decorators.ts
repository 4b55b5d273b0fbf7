import { ON_STREAM_EVENT, ON_SUBJECT, ON_SUBJECT_EVERY_REPLICA } from './messaging.constants';

/**
 * Subscribes the method to a core NATS subject in the service's queue group (replicas share the work).
 * When the message is a request, what the method returns is the reply; a RouterError it throws is replied
 * as `{ ok: false, error }`.
 */
export function OnSubject(subject: string): MethodDecorator {
  return (_target, _key, descriptor) => {
    Reflect.defineMetadata(ON_SUBJECT, subject, descriptor.value as object);
    return descriptor;
  };
}

/** Like OnSubject, outside any queue group: every replica gets every message (notices to refresh a cache). */
export function OnSubjectEveryReplica(subject: string): MethodDecorator {
  return (_target, _key, descriptor) => {
    Reflect.defineMetadata(ON_SUBJECT, subject, descriptor.value as object);
    Reflect.defineMetadata(ON_SUBJECT_EVERY_REPLICA, true, descriptor.value as object);
    return descriptor;
  };
}

/**
 * Handles a subject of the service's durable JetStream consumer. The message is acked when the method
 * resolves, redelivered later when it throws, and dropped (terminated, logged) when it throws a RouterError
 * with code invalid_json or invalid_request, since no retry can fix those.
 */
export function OnStreamEvent(subject: string): MethodDecorator {
  return (_target, _key, descriptor) => {
    Reflect.defineMetadata(ON_STREAM_EVENT, subject, descriptor.value as object);
    return descriptor;
  };
}
