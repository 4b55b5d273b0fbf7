export * from './decorators';
export * from './event-publisher';
export * from './incoming-message';
export * from './messaging.constants';
export * from './messaging.module';
export * from './outgoing';
export * from './streams';
