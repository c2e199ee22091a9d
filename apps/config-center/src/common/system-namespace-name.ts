/** The reserved settings namespace (DESIGN 15): admins only, whatever a token's list says. */
export const SYSTEM_NAMESPACE = '_system';
