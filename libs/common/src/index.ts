export * from './error-codes';
export * from './errors';
export * from './envelope';
