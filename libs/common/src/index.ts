export * from './error-codes';
export * from './errors';
export * from './envelope';
export * from './own-property';
export * from './replicated-failure';
