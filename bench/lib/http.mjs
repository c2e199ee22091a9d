// Small JSON-over-HTTP helpers for setup and verification (not used for the load itself).
import { SetupError } from './processes.mjs';

/** Sends a request and returns { status, body (parsed JSON or text), headers }. */
export async function request(method, url, { body, headers = {}, timeoutMs = 5000 } = {}) {
  const response = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let parsed = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** Like `request` but throws a SetupError unless the status is 2xx and `accept(body)` holds. */
export async function expectOk(what, method, url, options = {}, accept = () => true) {
  let result;
  try {
    result = await request(method, url, options);
  } catch (error) {
    throw new SetupError(`${what}: ${method} ${url} failed: ${error.message}`);
  }
  if (result.status < 200 || result.status > 299 || !accept(result.body)) {
    throw new SetupError(
      `${what}: ${method} ${url} answered ${result.status} ${JSON.stringify(result.body).slice(0, 500)}`,
    );
  }
  return result.body;
}
