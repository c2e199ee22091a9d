export * from './call-context';
export type { FieldError, SchemaClass } from './validation';
export { fromQueryString, queryInteger } from './to-instance';
export * from './resource';
export { stableJson } from './stable-json';
export * from './cache-resource';
export * from './api-errors';
export * from './api-resource';
