/** How long audit rows are kept (the `_system` key `audit` once settings exist, DESIGN 15). */
export interface AuditRetention {
  /** audit_local and audit_event rows older than this are deleted (config_history never is). */
  retention_days: number;
  /** The most audit_local rows a node keeps; the oldest go first. */
  max_denials_kept: number;
}

export const DEFAULT_AUDIT_RETENTION: AuditRetention = {
  retention_days: 90,
  max_denials_kept: 100_000,
};

/**
 * Where the retention job reads its settings, on every run (a change applies at the next run,
 * no restart). The default answers DEFAULT_AUDIT_RETENTION; the settings service replaces this
 * provider with one that reads `_system`.
 */
export abstract class AuditRetentionSource {
  abstract current(): AuditRetention;
}

export class FixedAuditRetention extends AuditRetentionSource {
  constructor(private readonly retention: AuditRetention = DEFAULT_AUDIT_RETENTION) {
    super();
  }

  current(): AuditRetention {
    return this.retention;
  }
}
