import { AsyncResource } from 'node:async_hooks';

/**
 * Node 20's `AsyncResource.prototype.bind` defines a deprecated `asyncResource` accessor
 * (DEP0172) on every bound function, building two `util.deprecate` wrappers per call. Fastify
 * binds one per request body it parses: 101 against 141 µs of CPU per small single-node write
 * (bench/tools/put-cpu-ab.mjs, 5 interleaved rounds). Fastify 5.12.5 drops the bind call
 * (fastify#7012), but @nestjs/platform-fastify 11 pins 5.6.2: remove this with the move to
 * Nest 12 (issue 12 item 5 stays open until then). This keeps
 * the behaviour that matters (the function runs in the resource's async context, with the
 * given or the call-site `this`) without the deprecated property.
 */
type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

export function installCheapAsyncResourceBind(): void {
  function bind(this: AsyncResource, fn: AnyFunction, thisArg?: unknown): AnyFunction {
    if (typeof fn !== 'function') throw new TypeError('AsyncResource.bind expects a function');
    const resource: AsyncResource = this; // eslint-disable-line @typescript-eslint/no-this-alias
    if (thisArg !== undefined)
      return (...args: unknown[]) => resource.runInAsyncScope(fn, thisArg, ...args);
    return function (this: unknown, ...args: unknown[]) {
      return resource.runInAsyncScope(fn, this, ...args);
    };
  }
  AsyncResource.prototype.bind = bind as unknown as typeof AsyncResource.prototype.bind;
}
