import { Command } from '../commands';

/**
 * DESIGN 12: how long an idempotency record answers a repeat of its key (measured in the
 * commands' own `at`, so every replica decides alike). After it the key may be used afresh;
 * PruneVersions (the retention job) deletes the expired rows.
 */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3600 * 1000;

/** The command's idempotency record; an entry of before scoping keeps its bare key. */
export function idempotencyOf(
  command: Command,
): { scope: string; key: string; fingerprint: string | null } | undefined {
  if (command.idempotency) return command.idempotency;
  if (command.idempotencyKey) return { scope: '', key: command.idempotencyKey, fingerprint: null };
  return undefined;
}
