import { ApiFailure, ExitCode, oneLine } from './cli-errors';

describe('ccctl errors', () => {
  it('maps 40101 and 40301 to the auth exit code, other API codes to 1', () => {
    expect(new ApiFailure(40101, 'unauthorized', 'r', undefined).exitCode).toBe(ExitCode.AUTH);
    expect(new ApiFailure(40301, 'forbidden', 'r', undefined).exitCode).toBe(ExitCode.AUTH);
    expect(new ApiFailure(40403, 'not found', 'r', undefined).exitCode).toBe(ExitCode.API_ERROR);
    expect(new ApiFailure(50301, 'down', 'r', undefined).exitCode).toBe(ExitCode.API_ERROR);
  });

  it('says code, message, what the details add, and the request id', () => {
    const failure = new ApiFailure(40002, 'validation failed', 'req-1', [
      { field: 'key', errors: ['key must be at most 256 characters'] },
      { field: 'value', errors: ['validation failed'] },
    ]);
    expect(failure.message).toBe(
      '40002 validation failed - key: key must be at most 256 characters (request_id req-1)',
    );
    expect(new ApiFailure(40402, 'namespace a not found', 'r', { namespace: 'a' }).message).toBe(
      '40402 namespace a not found (request_id r)',
    );
    expect(new ApiFailure(40101, 'unauthorized', undefined, 'Bearer needed').message).toBe(
      '40101 unauthorized - Bearer needed',
    );
  });

  it('keeps a server message on one line', () => {
    expect(oneLine('a\nb\r\n\tc\u0000d ')).toBe('a b cd');
  });
});
