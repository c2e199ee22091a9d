import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Matches,
  Min,
  ValidateNested,
  ValidationArguments,
  registerDecorator,
} from 'class-validator';
import { AppError, BadParameter, ErrorCode, ValidationFailed } from '@cc/common';
import { CallContext, Resource, ResourceOutputInvalid, fromQueryString } from '../src';
import { isSyncSchema } from '../src/validation';

const context: CallContext = { requestId: 'req-1', nodeId: 'node-1', chain: [] };

class ItemDto {
  @IsString()
  @IsNotEmpty()
  key!: string;

  @IsOptional()
  @IsString()
  value?: string;
}

class PutItemsDto {
  @IsString()
  @Matches(/^[a-z][a-z0-9-]{1,63}$/, {
    message: 'namespace must be lowercase letters, digits or -',
  })
  namespace!: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  version?: number;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ItemDto)
  items?: ItemDto[];
}

class EchoItems extends Resource<PutItemsDto, PutItemsDto> {
  protected readonly inputSchema = PutItemsDto;
  performed = 0;
  protected perform(input: PutItemsDto): PutItemsDto {
    this.performed++;
    return input;
  }
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof AppError)) throw new Error(`expected an AppError, got ${String(error)}`);
  return error;
}

describe('Resource input', () => {
  const echo = new EchoItems();

  it('defaults its name to the class name', () => {
    expect(echo.name).toBe('EchoItems');
  });

  it('answers 40001 BadParameter when a required field is missing', async () => {
    const error = await failure(echo.request({ version: 2 }, context));
    expect(error).toBeInstanceOf(BadParameter);
    expect(error.code).toBe(ErrorCode.BAD_PARAMETER);
    expect(error.details).toEqual([{ field: 'namespace', errors: ['namespace is required'] }]);
    expect(echo.performed).toBe(0);
  });

  it('answers 40002 ValidationFailed when a present value breaks a rule', async () => {
    const error = await failure(echo.request({ namespace: 'Bad Name' }, context));
    expect(error).toBeInstanceOf(ValidationFailed);
    expect(error.code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(error.details).toEqual([
      { field: 'namespace', errors: ['namespace must be lowercase letters, digits or -'] },
    ]);
    expect(error.message).toContain('namespace must be lowercase');
  });

  it('converts query-string numbers through @Type', async () => {
    await expect(
      echo.request(fromQueryString({ namespace: 'app', version: '3' }), context),
    ).resolves.toMatchObject({ version: 3 });
    const notANumber = await failure(
      echo.request(fromQueryString({ namespace: 'app', version: 'abc' }), context),
    );
    expect(notANumber.code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(notANumber.details).toEqual([
      { field: 'version', errors: expect.arrayContaining(['version must be an integer number']) },
    ]);
    const tooSmall = await failure(
      echo.request(fromQueryString({ namespace: 'app', version: '0' }), context),
    );
    expect(tooSmall.code).toBe(ErrorCode.VALIDATION_FAILED);
    // The same text in a JSON body is no number.
    const fromJson = await failure(echo.request({ namespace: 'app', version: '3' }, context));
    expect(fromJson.code).toBe(ErrorCode.VALIDATION_FAILED);
  });

  it('names nested fields by their path', async () => {
    const bad = await failure(
      echo.request({ namespace: 'app', items: [{ key: 'a' }, { key: '' }] }, context),
    );
    expect(bad.code).toBe(ErrorCode.VALIDATION_FAILED);
    expect(bad.details).toEqual([{ field: 'items.1.key', errors: ['key should not be empty'] }]);

    const missing = await failure(
      echo.request({ namespace: 'app', items: [{ value: 'v' }] }, context),
    );
    expect(missing.code).toBe(ErrorCode.BAD_PARAMETER);
    expect(missing.details).toEqual([{ field: 'items.0.key', errors: ['key is required'] }]);
  });

  it('reports every failing field, as 40001 when any of them is missing', async () => {
    const error = await failure(echo.request({ version: 'x' }, context));
    expect(error.code).toBe(ErrorCode.BAD_PARAMETER);
    expect((error.details as Array<{ field: string }>).map((d) => d.field).sort()).toEqual([
      'namespace',
      'version',
    ]);
  });

  it('strips unknown fields, nested ones included', async () => {
    const output = await echo.request(
      { namespace: 'app', admin: true, items: [{ key: 'k', junk: 1 }] },
      context,
    );
    expect(output).toBeInstanceOf(PutItemsDto);
    expect(Object.keys(output)).not.toContain('admin');
    expect(output.items?.[0]).toBeInstanceOf(ItemDto);
    expect(Object.keys(output.items?.[0] ?? {})).not.toContain('junk');
  });

  it.each([
    ['a string', 'namespace=app'],
    ['an array', [{ namespace: 'app' }]],
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
  ])('answers 40001 for %s as input', async (_case, input) => {
    const error = await failure(echo.request(input, context));
    expect(error).toBeInstanceOf(BadParameter);
    expect(error.message).toContain('EchoItems expects an object');
  });

  it('accepts an instance of its DTO from another resource', async () => {
    const dto = Object.assign(new PutItemsDto(), { namespace: 'app' });
    await expect(echo.request(dto, context)).resolves.toBe(dto);
  });

  it('skips class-validator when a subclass turns validateInput off, but still converts', async () => {
    class TrustedEcho extends EchoItems {
      protected override validateInput = false;
    }
    const output = await new TrustedEcho().request(
      fromQueryString({ namespace: 'Not Checked', version: '7' }),
      context,
    );
    expect(output).toMatchObject({ namespace: 'Not Checked', version: 7 });
    await expect(new TrustedEcho().request('text', context)).rejects.toBeInstanceOf(BadParameter);
  });

  it('honours asynchronous custom constraints', async () => {
    function IsKnownNamespace(): PropertyDecorator {
      return (target, propertyName) =>
        registerDecorator({
          name: 'isKnownNamespace',
          target: target.constructor,
          propertyName: propertyName as string,
          async: true,
          validator: {
            validate: async (value: unknown) => value === 'known',
            defaultMessage: (args?: ValidationArguments) =>
              `${args?.property} is not a known namespace`,
          },
        });
    }
    class LookupDto {
      @IsKnownNamespace()
      namespace!: string;
    }
    class Lookup extends Resource<LookupDto, string> {
      protected readonly inputSchema = LookupDto;
      protected perform(input: LookupDto): string {
        return input.namespace;
      }
    }
    expect(isSyncSchema(LookupDto)).toBe(false);
    expect(isSyncSchema(ItemDto)).toBe(true);
    expect(isSyncSchema(PutItemsDto)).toBe(false); // an array of nested DTOs: type not visible
    await expect(new Lookup().request({ namespace: 'known' }, context)).resolves.toBe('known');
    const error = await failure(new Lookup().request({ namespace: 'other' }, context));
    expect(error.details).toEqual([
      { field: 'namespace', errors: ['namespace is not a known namespace'] },
    ]);
  });

  it('passes the context to perform and lets its AppErrors through', async () => {
    class NameDto {
      @IsString()
      name!: string;
    }
    class WhoAmI extends Resource<NameDto, string> {
      protected readonly inputSchema = NameDto;
      protected perform(input: NameDto, ctx: CallContext): string {
        if (input.name === 'nobody') throw new AppError(ErrorCode.NOT_FOUND, 'nobody');
        return `${input.name}@${ctx.nodeId}/${ctx.requestId}`;
      }
    }
    await expect(new WhoAmI().request({ name: 'x' }, context)).resolves.toBe('x@node-1/req-1');
    await expect(new WhoAmI().request({ name: 'nobody' }, context)).rejects.toMatchObject({
      code: ErrorCode.NOT_FOUND,
    });
  });
});

describe('Resource output', () => {
  class CountDto {
    @IsInt()
    @Min(0)
    count!: number;
  }
  class EmptyDto {}

  class Counter extends Resource<EmptyDto, unknown> {
    protected readonly inputSchema = EmptyDto;
    protected override readonly outputSchema = CountDto;
    constructor(private readonly produce: () => unknown) {
      super();
    }
    protected perform(): unknown {
      return this.produce();
    }
  }

  it('returns a valid output untouched', async () => {
    const output = { count: 3, extra: 'kept' };
    await expect(new Counter(() => output).request({}, context)).resolves.toBe(output);
  });

  it('checks each element of an array output', async () => {
    await expect(
      new Counter(() => [{ count: 1 }, { count: 2 }]).request({}, context),
    ).resolves.toEqual([{ count: 1 }, { count: 2 }]);
    const error: unknown = await new Counter(() => [{ count: 1 }, { count: -1 }])
      .request({}, context)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceOutputInvalid);
    expect((error as ResourceOutputInvalid).fields).toEqual([
      { field: '1.count', errors: ['count must not be less than 0'] },
    ]);
  });

  it.each([
    ['a wrong field', { count: 'many' }],
    ['a missing field', {}],
    ['a scalar', 5],
    ['null', null],
  ])('throws a plain Error naming the resource for %s', async (_case, output) => {
    const error: unknown = await new Counter(() => output)
      .request({}, context)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResourceOutputInvalid);
    expect(error).not.toBeInstanceOf(AppError);
    expect((error as Error).message).toContain('resource Counter returned an invalid output');
  });
});
