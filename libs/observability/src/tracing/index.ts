export * from './attributes';
export * from './http-server-span';
export * from './spans';
export * from './start-tracing';
export { tracingEnabled } from './state';
export * from './tracing-config';
export * from './tracing.module';
