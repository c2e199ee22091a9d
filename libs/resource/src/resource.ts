import { BadParameter, ValidationFailed } from '@cc/common';
import { CallContext } from './call-context';
import {
  INPUT_VALIDATOR_OPTIONS,
  OUTPUT_VALIDATOR_OPTIONS,
  SchemaClass,
  check,
  summarize,
  toInstance,
} from './validation';

/**
 * A unit of business logic with a declared input (and optionally output) schema, after
 * drf_resource's Resource (spec 000, 代码三): controllers, other resources and remote nodes all
 * call `request`, so validation happens once, at the edge of the logic, whoever the caller is.
 */
export abstract class Resource<I extends object, O> {
  /** A class-validator DTO; `@Type(() => Number)` converts query-string numbers. */
  protected abstract readonly inputSchema: new () => I;
  /** When set, every output is checked against it: a mismatch is a bug in this resource. */
  protected readonly outputSchema?: new () => object;
  /**
   * Set to false in a subclass whose callers are all trusted code passing typed input: the
   * input is still converted to the DTO class but class-validator is not run.
   */
  protected validateInput = true;

  get name(): string {
    return this.constructor.name;
  }

  protected abstract perform(input: I, context: CallContext): Promise<O> | O;

  async request(rawInput: unknown, context: CallContext): Promise<O> {
    const input = await this.parseInput(rawInput);
    return this.invoke(input, context);
  }

  /** perform + output check; the seam CacheResource wraps so a cached output is checked once. */
  protected async invoke(input: I, context: CallContext): Promise<O> {
    const output = await this.perform(input, context);
    if (this.outputSchema !== undefined) await this.checkOutput(output, this.outputSchema);
    return output;
  }

  protected async parseInput(rawInput: unknown): Promise<I> {
    if (typeof rawInput !== 'object' || rawInput === null || Array.isArray(rawInput)) {
      const message = `${this.name} expects an object as input, got ${describe(rawInput)}`;
      throw new BadParameter([{ field: '(input)', errors: [message] }], message);
    }
    const schema = this.inputSchema;
    const input = toInstance(schema, rawInput);
    if (!this.validateInput) return input;
    const failure = await check(input, schema, INPUT_VALIDATOR_OPTIONS);
    if (failure === undefined) return input;
    const message = summarize(failure.fields);
    throw failure.missing
      ? new BadParameter(failure.fields, message)
      : new ValidationFailed(failure.fields, message);
  }

  private async checkOutput(output: unknown, schema: SchemaClass): Promise<void> {
    const items = Array.isArray(output) ? output : [output];
    for (let index = 0; index < items.length; index++) {
      const item: unknown = items[index];
      const where = Array.isArray(output) ? ` at index ${index}` : '';
      if (typeof item !== 'object' || item === null) {
        throw new ResourceOutputInvalid(this.name, [
          { field: '(output)', errors: [`expected an object${where}, got ${describe(item)}`] },
        ]);
      }
      // A converted copy is checked, so the caller receives the output exactly as performed.
      const failure = await check(toInstance(schema, item), schema, OUTPUT_VALIDATOR_OPTIONS);
      if (failure !== undefined) {
        throw new ResourceOutputInvalid(
          this.name,
          Array.isArray(output)
            ? failure.fields.map((f) => ({ ...f, field: `${index}.${f.field}` }))
            : failure.fields,
        );
      }
    }
  }
}

/**
 * Deliberately not an AppError: an output that breaks its own schema is a bug in the resource,
 * and the exception filter turns anything that is not an AppError into 50001.
 */
export class ResourceOutputInvalid extends Error {
  constructor(
    readonly resource: string,
    readonly fields: ReadonlyArray<{ field: string; errors: string[] }>,
  ) {
    super(`resource ${resource} returned an invalid output: ${summarize(fields)}`);
    this.name = 'ResourceOutputInvalid';
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
