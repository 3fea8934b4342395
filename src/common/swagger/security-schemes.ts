/** The OpenAPI security schemes of the two tokens (DESIGN 5), named once for every route. */
export const BEARER_SECURITY = 'bearer';
export const SESSION_SECURITY = 'session-token';
