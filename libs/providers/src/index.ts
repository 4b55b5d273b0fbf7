export * from './anthropic/anthropic.adapter';
export * from './http/post-json';
export * from './lib/cost';
export * from './lib/provider-adapter';
export * from './lib/provider-error';
export * from './lib/retry';
export * from './openai/openai.adapter';
export * from './simulated/simulated.adapter';
