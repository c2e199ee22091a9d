import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { installCheapAsyncResourceBind } from './cheap-async-resource-bind';

describe('installCheapAsyncResourceBind', () => {
  beforeAll(() => installCheapAsyncResourceBind());

  it('runs the bound function in the async context of the resource, not of the caller', () => {
    const storage = new AsyncLocalStorage<string>();
    const bound = storage.run('request-1', () => {
      const resource = new AsyncResource('test');
      return resource.bind((suffix: string) => `${storage.getStore()}:${suffix}`);
    });
    expect(storage.run('request-2', () => bound('x'))).toBe('request-1:x');
  });

  it('calls with the given this, or the call-site this when none is given', () => {
    const resource = new AsyncResource('test');
    const self = { name: 'given' };
    // @types/node declares bind(fn) only; Node also takes thisArg.
    const bindWithThis = resource.bind.bind(resource) as unknown as (
      fn: (this: { name: string }) => string,
      thisArg: unknown,
    ) => () => string;
    const withThis = bindWithThis(function (this: { name: string }) {
      return this.name;
    }, self);
    expect(withThis()).toBe('given');
    const callSite = resource.bind(function (this: { name: string }) {
      return this.name;
    });
    expect(callSite.call({ name: 'call-site' })).toBe('call-site');
  });

  it('rejects what is not a function', () => {
    const resource = new AsyncResource('test');
    expect(() => resource.bind(42 as unknown as () => void)).toThrow(TypeError);
  });
});
