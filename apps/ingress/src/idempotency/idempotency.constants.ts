export const INGRESS_REDIS = Symbol('INGRESS_REDIS');
