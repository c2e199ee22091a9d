/**
 * Exit codes scripts can branch on (README "ccctl"). Every failure ends the run with one of
 * these and one line on stderr.
 */
export const ExitCode = {
  OK: 0,
  /** The API answered with an error code (other than 40101/40301). */
  API_ERROR: 1,
  /** Bad arguments or options, an unreadable file, a value that is not JSON. */
  USAGE: 2,
  /** No answer: connection refused, DNS, TLS, timeout, or an answer that is not the API's. */
  CONNECTION: 3,
  /** 40101 (missing, unknown, expired or revoked token) or 40301 (not allowed). */
  AUTH: 4,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** A failure the CLI reports itself: its exit code and a one-line message. */
export class CliFailure extends Error {
  constructor(
    readonly exitCode: ExitCodeValue,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class UsageFailure extends CliFailure {
  constructor(message: string) {
    super(ExitCode.USAGE, message);
  }
}

export class ConnectionFailure extends CliFailure {
  constructor(message: string) {
    super(ExitCode.CONNECTION, message);
  }
}

const AUTH_CODES = new Set([40101, 40301]);

/** The API's error envelope, as one line: code, message, a summary of details, request id. */
export class ApiFailure extends CliFailure {
  constructor(
    readonly code: number,
    readonly apiMessage: string,
    readonly requestId: string | undefined,
    readonly details: unknown,
    /** On 50302: the leader the node knows of (`{id, address}`), beside `details`. */
    readonly leader?: unknown,
  ) {
    super(
      AUTH_CODES.has(code) ? ExitCode.AUTH : ExitCode.API_ERROR,
      [
        `${code} ${apiMessage}`,
        summarizeDetails(details, apiMessage),
        requestId ? `(request_id ${requestId})` : '',
      ]
        .filter(Boolean)
        .join(' '),
    );
  }
}

const MAX_DETAILS_CHARS = 300;

interface FieldErrors {
  field: string;
  errors: string[];
}

const isFieldErrors = (item: unknown): item is FieldErrors =>
  typeof item === 'object' &&
  item !== null &&
  typeof (item as FieldErrors).field === 'string' &&
  Array.isArray((item as FieldErrors).errors);

/** `{namespace: "app"}` beside "namespace app not found" says nothing new. */
const isEchoOf = (details: unknown, message: string): boolean =>
  typeof details === 'object' &&
  details !== null &&
  !Array.isArray(details) &&
  Object.values(details).every(
    (value) =>
      (typeof value === 'string' || typeof value === 'number') && message.includes(String(value)),
  );

/** Details worth a glance: field errors (`field: why`), a string, or compact JSON, cut short. */
export function summarizeDetails(details: unknown, message: string): string {
  if (details === undefined || details === null) return '';
  let text: string;
  if (typeof details === 'string') text = details;
  else if (Array.isArray(details) && details.every(isFieldErrors))
    text = details
      .map((item) => ({ ...item, errors: item.errors.filter((error) => !message.includes(error)) }))
      .filter((item) => item.errors.length > 0)
      .map((item) => `${item.field}: ${item.errors.join(', ')}`)
      .join('; ');
  else if (isEchoOf(details, message)) return '';
  else text = JSON.stringify(details);
  if (text === '' || text === message || message.includes(text)) return '';
  return `- ${text.length > MAX_DETAILS_CHARS ? `${text.slice(0, MAX_DETAILS_CHARS)}...` : text}`;
}

/** Messages come from a server and the user's arguments: keep them on one line. */
export const oneLine = (text: string): string =>
  text
    .replace(/[\r\n\t]+/g, ' ')
    // eslint-disable-next-line no-control-regex
    .replace(/[\x00-\x1f\x7f]/g, '')
    .trim();
