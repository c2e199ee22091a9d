import { IsInt, IsString, MaxLength, validateSync } from 'class-validator';
import { installValidationMetadataCache } from '../src/metadata-cache';

class Base {
  @IsString()
  @MaxLength(5)
  name!: unknown;
}

class Child extends Base {
  @IsInt()
  count!: unknown;
}

const failing = (value: object) =>
  validateSync(value)
    .map((error) => error.property)
    .sort();

describe('installValidationMetadataCache', () => {
  beforeAll(() => installValidationMetadataCache());

  it('gives the same verdicts, inherited rules included, call after call', () => {
    for (let round = 0; round < 3; round++) {
      expect(failing(Object.assign(new Child(), { name: 'ok', count: 1 }))).toEqual([]);
      expect(failing(Object.assign(new Child(), { name: 'too long', count: 'x' }))).toEqual([
        'count',
        'name',
      ]);
      expect(failing(Object.assign(new Base(), { name: 7 }))).toEqual(['name']);
    }
  });

  it('sees a rule added after a class was already validated', () => {
    expect(failing(Object.assign(new Base(), { name: 'ok', extra: 3 }))).toEqual([]);
    IsString()(Base.prototype, 'extra');
    expect(failing(Object.assign(new Base(), { name: 'ok', extra: 3 }))).toEqual(['extra']);
    expect(failing(Object.assign(new Child(), { name: 'ok', count: 1, extra: 3 }))).toEqual([
      'extra',
    ]);
  });
});
