export * from './exposition';
export * from './label-guard';
export * from './metric-catalogue';
export * from './metrics.module';
export * from './recorders';
export * from './scrape-sampler';
export * from './service-metrics';
