export * from './infra';
export * from './wait-for';
export * from './strict-fake';
export * from './temporary-redis';
export * from './fake-provider-server';
export * from './temporary-nats';
export * from './temporary-ferretdb';
export * from './self-signed-certificate';
