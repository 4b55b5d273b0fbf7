import type { MsgHdrs } from '@nats-io/transport-node';
import { isColocated } from '@switchyard/runtime';

/** A message delivered inside the process: what NATS would have carried, bytes and headers alike. */
export interface LocalDelivery {
  subject: string;
  data: Uint8Array;
  headers: MsgHdrs;
  /** Where the answer goes (a local inbox, or a NATS inbox of a caller in another process). */
  reply?: string;
}

export type LocalHandler = (delivery: LocalDelivery) => void;

/**
 * Local-first delivery for services sharing one process (co-located mode). Each service's messaging
 * registers its queue-group handlers here as well as on NATS; a publish to a subject with a local handler
 * is delivered to it (round robin when several services of the process handle it) as the same bytes and
 * headers, after the publisher's own code has run, as NATS would. Everything else (other processes'
 * replicas, the public subject from callers, JetStream records, every-replica notices) stays on NATS, and
 * a subject without a local handler goes there too. Inboxes of callers in this process are local as well.
 *
 * One per process, shared through globalThis: each service's bundle carries its own copy of this module.
 */
export class LocalBus {
  private readonly handlers = new Map<string, LocalHandler[]>();
  private readonly turn = new Map<string, number>();
  private readonly inboxes = new Map<string, LocalHandler>();
  private inboxSeq = 0;

  constructor(readonly enabled: boolean) {}

  /** Serves `subject` in this process; returns the function that stops it (at shutdown, before draining). */
  serve(subject: string, handler: LocalHandler): () => void {
    if (!this.enabled) return () => undefined;
    this.handlers.set(subject, [...(this.handlers.get(subject) ?? []), handler]);
    return () => {
      const left = (this.handlers.get(subject) ?? []).filter((h) => h !== handler);
      if (left.length > 0) this.handlers.set(subject, left);
      else this.handlers.delete(subject);
    };
  }

  /** Whether a publish to `subject` would stay in the process. */
  handles(subject: string): boolean {
    return this.enabled && (this.handlers.has(subject) || this.inboxes.has(subject));
  }

  /** Delivers to the local handler or inbox of `delivery.subject`, soon after; false when there is none. */
  deliver(delivery: LocalDelivery): boolean {
    if (!this.enabled) return false;
    const inbox = this.inboxes.get(delivery.subject);
    if (inbox) {
      queueMicrotask(() => inbox(delivery));
      return true;
    }
    const handlers = this.handlers.get(delivery.subject);
    if (!handlers) return false;
    const i = (this.turn.get(delivery.subject) ?? 0) % handlers.length;
    this.turn.set(delivery.subject, i + 1);
    queueMicrotask(() => handlers[i](delivery));
    return true;
  }

  /** An inbox of this process under `prefix` (the service's NATS inbox prefix, so it reads like one). */
  openInbox(prefix: string, handler: LocalHandler): { subject: string; close: () => void } {
    const subject = `${prefix}.local.${++this.inboxSeq}`;
    this.inboxes.set(subject, handler);
    return { subject, close: () => this.inboxes.delete(subject) };
  }
}

const KEY = Symbol.for('switchyard.local-bus');

/** This process's local bus: enabled when services share the process (SWITCHYARD_COLOCATED) when first asked for. */
export function localBus(): LocalBus {
  const holder = globalThis as { [KEY]?: LocalBus };
  holder[KEY] ??= new LocalBus(isColocated());
  return holder[KEY];
}
