import 'reflect-metadata';
import {
  ValidationError,
  ValidationTypes,
  ValidatorOptions,
  getMetadataStorage,
  validate,
  validateSync,
} from 'class-validator';
import { installValidationMetadataCache } from './metadata-cache';

installValidationMetadataCache();

/** One entry of an error's `details`: a dotted path (`items.0.key`) and what is wrong with it. */
export interface FieldError {
  field: string;
  errors: string[];
}

export interface ValidationOutcome {
  fields: FieldError[];
  /** Some failing property was absent (undefined or null): the request is malformed (40001). */
  missing: boolean;
}

export type SchemaClass<T extends object = object> = new () => T;

/** Shared, never mutated: no options object is built per call. */
export const INPUT_VALIDATOR_OPTIONS: Readonly<ValidatorOptions> = Object.freeze({
  whitelist: true,
  forbidUnknownValues: false,
});
export const OUTPUT_VALIDATOR_OPTIONS: Readonly<ValidatorOptions> = Object.freeze({
  forbidUnknownValues: false,
});

const NON_DTO_TYPES = new Set<unknown>([Object, Array, Map, Set, Promise, String, Number, Boolean]);

/**
 * Per schema class, computed once: can class-validator check it synchronously? validateSync
 * silently skips async constraints, so it is only used when none is reachable; a nested type we
 * cannot see statically (arrays of DTOs) takes the async path to stay correct.
 */
const syncPlans = new WeakMap<SchemaClass, boolean>();

export function isSyncSchema(schema: SchemaClass): boolean {
  let sync = syncPlans.get(schema);
  if (sync === undefined) {
    sync = computeSync(schema, new Set());
    syncPlans.set(schema, sync);
  }
  return sync;
}

function computeSync(schema: SchemaClass, visiting: Set<SchemaClass>): boolean {
  if (visiting.has(schema)) return true;
  visiting.add(schema);
  const storage = getMetadataStorage();
  for (const rule of storage.getTargetValidationMetadatas(schema, '', true, false)) {
    if (rule.type === ValidationTypes.PROMISE_VALIDATION) return false;
    if (rule.type === ValidationTypes.CUSTOM_VALIDATION && rule.constraintCls) {
      if (storage.getTargetValidatorConstraints(rule.constraintCls).some((c) => c.async)) {
        return false;
      }
    }
    if (rule.type === ValidationTypes.NESTED_VALIDATION) {
      const nested: unknown = Reflect.getMetadata(
        'design:type',
        schema.prototype,
        rule.propertyName,
      );
      if (typeof nested !== 'function' || NON_DTO_TYPES.has(nested) || rule.each) return false;
      if (!computeSync(nested as SchemaClass, visiting)) return false;
    }
  }
  return true;
}

export { toInstance } from './to-instance';

/** Runs class-validator on an instance; `undefined` when it is valid (the common case allocates nothing). */
export async function check(
  instance: object,
  schema: SchemaClass,
  options: Readonly<ValidatorOptions>,
): Promise<ValidationOutcome | undefined> {
  const errors = isSyncSchema(schema)
    ? validateSync(instance, options)
    : await validate(instance, options);
  return errors.length === 0 ? undefined : flatten(errors);
}

export function flatten(errors: readonly ValidationError[]): ValidationOutcome {
  const outcome: ValidationOutcome = { fields: [], missing: false };
  collect(errors, '', outcome);
  return outcome;
}

function collect(errors: readonly ValidationError[], prefix: string, outcome: ValidationOutcome) {
  for (const error of errors) {
    const field = prefix === '' ? error.property : `${prefix}.${error.property}`;
    if (error.constraints) {
      const absent = error.value === undefined || error.value === null;
      // An absent field fails every rule on it; "x is required" is the one worth reading.
      outcome.fields.push({
        field,
        errors: absent ? [`${error.property} is required`] : Object.values(error.constraints),
      });
      if (absent) outcome.missing = true;
    }
    if (error.children && error.children.length > 0) collect(error.children, field, outcome);
  }
}

export function summarize(fields: readonly FieldError[]): string {
  return fields.map((f) => f.errors.join(', ')).join('; ');
}
