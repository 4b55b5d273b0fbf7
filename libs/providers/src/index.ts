export * from './lib/cost';
export * from './lib/provider-adapter';
export * from './simulated/simulated.adapter';
