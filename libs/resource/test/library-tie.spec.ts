import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Exclude, Expose, Transform, TransformationType, Type } from 'class-transformer';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import {
  IsInt,
  IsString,
  ValidationTypes,
  getMetadataStorage,
  registerDecorator,
  validateSync,
} from 'class-validator';

/**
 * The tie: to-instance.ts, metadata-cache.ts and validation.ts read (and metadata-cache.ts
 * wraps) the private metadata storage of class-transformer and class-validator. These
 * assertions name every part of that storage we rely on; when one fails after an upgrade,
 * re-read those three files against the new version before moving the pin (README).
 */
const ROOT = join(__dirname, '../../..');
const TIED = ['class-transformer', 'class-validator'] as const;

function versionOf(path: string): string {
  return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
}

describe('the tie of libs/resource to class-transformer and class-validator internals', () => {
  it.each(TIED)('pins %s to an exact version, the one installed', (name) => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const pinned = manifest.dependencies[name];
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(versionOf(require.resolve(`${name}/package.json`))).toBe(pinned);
  });

  describe('class-transformer/cjs/storage (read by to-instance.ts)', () => {
    class Plain {
      @Type(() => Number)
      count!: number;
      value!: unknown;
    }
    class Exposing {
      @Expose()
      shown!: string;
      @Transform(({ value }) => value)
      changed!: string;
    }
    @Exclude()
    class ExcludingAll {
      name!: string;
    }
    class Excluding {
      @Exclude()
      hidden!: string;
    }

    it('is the storage the public decorators write to', () => {
      expect(defaultMetadataStorage).toBeDefined();
      const type = defaultMetadataStorage.findTypeMetadata(Plain, 'count');
      expect(type).toEqual(
        expect.objectContaining({ target: Plain, propertyName: 'count', options: {} }),
      );
      expect(type.typeFunction({ newObject: {}, object: {}, property: 'count' })).toBe(Number);
      expect(type).toHaveProperty('reflectedType');
      expect(defaultMetadataStorage.findTypeMetadata(Plain, 'value')).toBeUndefined();
    });

    it('tells a class with no strategy, exposure, exclusion or transform from one with them', () => {
      expect(defaultMetadataStorage.getStrategy(Plain)).toBe('none');
      expect(defaultMetadataStorage.getStrategy(ExcludingAll)).toBe('excludeAll');
      expect(defaultMetadataStorage.getExposedMetadatas(Plain)).toHaveLength(0);
      expect(defaultMetadataStorage.getExposedMetadatas(Exposing)).toHaveLength(1);
      expect(defaultMetadataStorage.getExcludedMetadatas(Plain)).toHaveLength(0);
      expect(defaultMetadataStorage.getExcludedMetadatas(Excluding)).toHaveLength(1);
      const plainToClass = TransformationType.PLAIN_TO_CLASS;
      expect(defaultMetadataStorage.findTransformMetadatas(Plain, 'count', plainToClass)).toEqual(
        [],
      );
      expect(
        defaultMetadataStorage.findTransformMetadatas(Exposing, 'changed', plainToClass),
      ).toHaveLength(1);
    });
  });

  describe("class-validator's getMetadataStorage() (wrapped by metadata-cache.ts)", () => {
    const storage = getMetadataStorage();
    const WRAPPED = [
      'getTargetValidationMetadatas',
      'groupByPropertyName',
      'addValidationMetadata',
      'addConstraintMetadata',
      'addValidationSchema',
    ] as const;

    it.each(WRAPPED)('has %s as an own-instance-replaceable method', (name) => {
      expect(typeof storage[name]).toBe('function');
    });

    it('takes (target, schema, always, strictGroups, groups) in getTargetValidationMetadatas', () => {
      expect(storage.getTargetValidationMetadatas.length).toBe(5);
    });

    it('looks rules up and groups them through the storage instance on every validate call', () => {
      class Checked {
        @IsInt()
        count!: unknown;
      }
      const calls: string[] = [];
      const lookup = storage.getTargetValidationMetadatas;
      const group = storage.groupByPropertyName;
      try {
        storage.getTargetValidationMetadatas = (...args) => {
          calls.push('lookup');
          return lookup.apply(storage, args);
        };
        storage.groupByPropertyName = (...args) => {
          calls.push('group');
          return group.apply(storage, args);
        };
        expect(validateSync(Object.assign(new Checked(), { count: 'x' }))).toHaveLength(1);
      } finally {
        storage.getTargetValidationMetadatas = lookup;
        storage.groupByPropertyName = group;
      }
      expect(calls).toEqual(['lookup', 'group']);
    });

    it('registers every rule through addValidationMetadata or addConstraintMetadata', () => {
      class Late {
        name!: unknown;
      }
      const calls: string[] = [];
      const addRule = storage.addValidationMetadata;
      const addConstraint = storage.addConstraintMetadata;
      try {
        storage.addValidationMetadata = (metadata) => {
          calls.push(`rule:${metadata.propertyName}`);
          addRule.call(storage, metadata);
        };
        storage.addConstraintMetadata = (metadata) => {
          calls.push('constraint');
          addConstraint.call(storage, metadata);
        };
        IsString()(Late.prototype, 'name');
        registerDecorator({
          target: Late,
          propertyName: 'name',
          validator: { validate: (value: unknown) => value !== 'bad' },
        });
      } finally {
        storage.addValidationMetadata = addRule;
        storage.addConstraintMetadata = addConstraint;
      }
      expect(calls.filter((call) => call === 'rule:name')).toHaveLength(2);
      expect(calls).toContain('constraint');
    });

    it('describes rules with the fields validation.ts reads', () => {
      class Described {
        @IsString()
        name!: unknown;
      }
      const [rule] = storage.getTargetValidationMetadatas(Described, '', true, false);
      expect(rule).toEqual(
        expect.objectContaining({ propertyName: 'name', type: ValidationTypes.CUSTOM_VALIDATION }),
      );
      expect(typeof rule.constraintCls).toBe('function');
      expect(storage.getTargetValidatorConstraints(rule.constraintCls)).toEqual([
        expect.objectContaining({ async: false }),
      ]);
    });
  });
});
