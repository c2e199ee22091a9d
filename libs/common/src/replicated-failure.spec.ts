import { ErrorCode } from './error-codes';
import {
  AppError,
  BatchOperationFailed,
  ConfigKeyExists,
  ConfigNotFound,
  Conflict,
  DatabaseError,
  Forbidden,
  NamespaceDisabled,
  NamespaceNotFound,
  ServiceUnavailable,
  VersionConflict,
} from './errors';
import { fromReplicatedFailure, isRefusal, toReplicatedFailure } from './replicated-failure';

describe('replicated failures', () => {
  it('travel as plain JSON and come back as the typed error of their code, message and details unchanged', () => {
    const cases: Array<[AppError, abstract new (...args: never[]) => AppError]> = [
      [new ConfigNotFound('app', 'k'), ConfigNotFound],
      [new ConfigKeyExists('app', 'k'), ConfigKeyExists],
      [new NamespaceNotFound('app', { namespace: 'app' }), NamespaceNotFound],
      [new VersionConflict('app', 'k', 2, 1), Conflict],
      [new NamespaceDisabled('app'), Forbidden],
      [new BatchOperationFailed(3, 'delete app/k', new ConfigNotFound('app', 'k')), ConfigNotFound],
    ];
    for (const [thrown, type] of cases) {
      const failure = JSON.parse(JSON.stringify(toReplicatedFailure(thrown))) as unknown;
      expect(failure).toStrictEqual(toReplicatedFailure(thrown));
      const rebuilt = fromReplicatedFailure(toReplicatedFailure(thrown));
      expect(rebuilt).toBeInstanceOf(type);
      expect(rebuilt).toBeInstanceOf(AppError);
      expect(rebuilt.name).toBe(type.name);
      expect({ code: rebuilt.code, message: rebuilt.message, details: rebuilt.details }).toEqual({
        code: thrown.code,
        message: thrown.message,
        details: thrown.details,
      });
      expect(rebuilt.httpStatus).toBe(thrown.httpStatus);
    }
  });

  it('leaves out details when there are none, as the wire format always did', () => {
    expect(toReplicatedFailure(new ConfigNotFound('app', 'k'))).toStrictEqual({
      code: ErrorCode.CONFIG_NOT_FOUND,
      message: 'config app/k not found',
    });
  });

  it('rebuilds a code without a class of its own as a plain AppError of that code', () => {
    const rebuilt = fromReplicatedFailure({ code: ErrorCode.RATE_LIMITED, message: 'slow down' });
    expect(rebuilt.constructor).toBe(AppError);
    expect(rebuilt).toMatchObject({ code: ErrorCode.RATE_LIMITED, message: 'slow down' });
  });

  it('counts only client errors as refusals: a node-side failure is never replicated', () => {
    expect(isRefusal(new ConfigNotFound('a', 'b'))).toBe(true);
    expect(isRefusal(new DatabaseError())).toBe(false);
    expect(isRefusal(new ServiceUnavailable())).toBe(false);
    expect(isRefusal(new Error('bug'))).toBe(false);
  });
});
