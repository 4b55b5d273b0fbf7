export * from './bootstrap';
export * from './config';
export * from './health';
export * from './redis';
export * from './router-error.filter';
export * from './package-file';
export * from './colocated';
