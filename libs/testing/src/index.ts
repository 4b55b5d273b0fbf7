export * from './infra';
export * from './wait-for';
export * from './service-process';
export * from './strict-fake';
