/** Random lowercase suffix: namespaces stay unique across suites sharing one database. */
export function uniqueName(prefix = 'ns'): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
