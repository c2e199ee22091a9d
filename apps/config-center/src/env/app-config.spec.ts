import { loadAppConfig } from './app-config';

describe('loadAppConfig limits', () => {
  it('accepts MAX_VALUE_BYTES up to 3 MiB', () => {
    const config = loadAppConfig({ MAX_VALUE_BYTES: String(3 * 1024 * 1024) });
    expect(config.limits.maxValueBytes).toBe(3 * 1024 * 1024);
  });

  it('refuses a larger MAX_VALUE_BYTES at start, naming the range', () => {
    expect(() => loadAppConfig({ MAX_VALUE_BYTES: String(4 * 1024 * 1024) })).toThrow(
      /MAX_VALUE_BYTES must be an integer in \[1, 3145728\]/,
    );
  });
});
