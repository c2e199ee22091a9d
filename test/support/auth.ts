/**
 * The ADMIN_TOKEN every test node runs with unless a test sets its own (DESIGN 21: every
 * endpoint but health and metrics needs a token), and the header that carries it.
 */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';
export const ADMIN_AUTHORIZATION = `Bearer ${TEST_ADMIN_TOKEN}`;
export const ADMIN_HEADERS: Readonly<Record<string, string>> = {
  authorization: ADMIN_AUTHORIZATION,
};
