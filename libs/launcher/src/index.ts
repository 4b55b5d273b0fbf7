export * from './service-process';
export * from './service-stack';
export * from './colocated-host';
