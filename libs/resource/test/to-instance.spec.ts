import { Expose, Transform, Type, plainToInstance } from 'class-transformer';
import {
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  ValidateNested,
  validateSync,
} from 'class-validator';
import { fromQueryString } from '../src';
import { toInstance } from '../src/validation';

class Item {
  @IsString() key!: string;
  @IsOptional() value?: unknown;
  @IsOptional() @Type(() => Number) @IsInt() version?: number;
}

class Body {
  @IsString() name!: string;
  @IsOptional() value?: unknown;
  @IsOptional() @IsString() mode = 'merge';
  @IsOptional() @Type(() => Number) @IsInt() page?: number;
  @IsOptional() @Type(() => Boolean) dryRun?: boolean;
  @IsOptional() @IsArray() @ValidateNested({ each: true }) @Type(() => Item) items?: Item[];
  @IsOptional() @ValidateNested() @Type(() => Item) first?: Item;
}

class Renamed {
  @Expose({ name: 'full_name' }) @IsString() name!: string;
}

class Trimmed {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  name!: string;
}

const TRANSFORM_OPTIONS = { exposeDefaultValues: true };

describe('toInstance', () => {
  it('builds what plainToInstance builds when the JSON already has the declared types', () => {
    const inputs: object[] = [
      { name: 'a' },
      { name: 'a', mode: undefined },
      { name: 'a', mode: 'replace', page: 3, dryRun: true, extra: { x: [1, 'y'] } },
      { name: 'a', value: { nested: [1, { deep: null }], n: 1.5, s: 'x', b: false } },
      { name: 'a', value: [[1], [2, [3]]] },
      { name: 'a', items: [{ key: 'k', value: { v: 1 }, version: 2 }, 'not an object', null] },
      { name: 'a', items: 'not an array', first: { key: 'k', value: [1] } },
      { name: 7, value: null, page: null },
    ];
    for (const input of inputs) {
      const ours = toInstance(Body, input);
      const theirs = plainToInstance(Body, input, TRANSFORM_OPTIONS);
      expect(ours).toBeInstanceOf(Body);
      expect(ours).toStrictEqual(theirs);
      expect(validateSync(ours)).toEqual(validateSync(theirs));
    }
  });

  it('converts nothing in a JSON body: a string, a boolean or a float is no integer', () => {
    for (const page of ['3', true, ' 0x1 ', '1e0', 1.5]) {
      const body = toInstance(Body, { name: 'a', page, items: [{ key: 'k', version: '2' }] });
      expect(body.page).toBe(page);
      expect(body.items?.[0].version).toBe('2');
      expect(validateSync(body).map((error) => error.property)).toEqual(['page', 'items']);
    }
    expect(toInstance(Body, { name: 'a', dryRun: 'false' }).dryRun).toBe('false');
  });

  it('converts only canonical decimal integers and true/false from a query string', () => {
    const query = (input: object) => toInstance(Body, fromQueryString(input));
    expect(query({ name: 'a', page: '3', dryRun: 'false' })).toMatchObject({
      page: 3,
      dryRun: false,
    });
    expect(query({ name: 'a', page: '-12', dryRun: 'true' })).toMatchObject({
      page: -12,
      dryRun: true,
    });
    for (const page of ['1e0', ' 0x1 ', '0x1', '01', '+1', '1.0', '', ' 1', 'NaN', 'Infinity'])
      expect(query({ name: 'a', page }).page).toBe(page);
    for (const dryRun of ['1', 'yes', 'TRUE', ''])
      expect(query({ name: 'a', dryRun }).dryRun).toBe(dryRun);
    expect(query({ name: 'a', page: ['1', '2'] }).page).toEqual([1, 2]);
  });

  it('makes nested @Type schemas instances, so nested validation sees them', () => {
    const body = toInstance(Body, { name: 'a', items: [{ key: 1 }], first: { key: 'k' } });
    expect(body.items?.[0]).toBeInstanceOf(Item);
    expect(body.first).toBeInstanceOf(Item);
    expect(validateSync(body).map((error) => error.property)).toEqual(['items']);
  });

  it('keeps every key of a JSON value, including ones that shadow Object.prototype', () => {
    const value = {
      toString: 1,
      valueOf: 'x',
      hasOwnProperty: true,
      constructor: { name: 'not a class' },
      list: [{ toString: 'kept' }],
    };
    const body = toInstance(Body, { name: 'a', value });
    expect(body.value).toEqual(value);
    expect(JSON.stringify(body.value)).toBe(JSON.stringify(value));
    // Why this exists: class-transformer loses or throws on such values.
    expect(() => plainToInstance(Body, { name: 'a', value }, TRANSFORM_OPTIONS)).toThrow();
    expect(
      plainToInstance(Body, { name: 'a', value: { toString: 1, a: 2 } }, TRANSFORM_OPTIONS).value,
    ).toEqual({ a: 2 });
  });

  it('copies JSON values, so the instance never aliases the request body', () => {
    const input = { name: 'a', value: { list: [1, 2] }, items: [{ key: 'k', value: { v: 1 } }] };
    const body = toInstance(Body, input);
    (body.value as { list: number[] }).list.push(3);
    (body.items?.[0].value as { v: number }).v = 9;
    expect(input).toEqual({
      name: 'a',
      value: { list: [1, 2] },
      items: [{ key: 'k', value: { v: 1 } }],
    });
  });

  it('never copies __proto__ or constructor onto the instance, nor over its methods', () => {
    const input = JSON.parse(
      '{"name":"a","__proto__":{"polluted":true},"constructor":1,"toString":2}',
    ) as object;
    const body = toInstance(Body, input);
    expect(Object.getPrototypeOf(body)).toBe(Body.prototype);
    for (const key of ['__proto__', 'constructor', 'toString'])
      expect(Object.keys(body)).not.toContain(key);
    expect(body.constructor).toBe(Body);
    expect(body.name).toBe('a');
    expect(String(body)).toBe('[object Object]');
  });

  it('hands schemas with other class-transformer decorators to class-transformer', () => {
    expect(toInstance(Renamed, { full_name: 'x' }).name).toBe('x');
    expect(toInstance(Trimmed, { name: '  x  ' }).name).toBe('x');
  });

  it('returns an instance of the schema as it is', () => {
    const body = Object.assign(new Body(), { name: 'a' });
    expect(toInstance(Body, body)).toBe(body);
  });
});
