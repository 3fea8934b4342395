/** The OpenAPI security schemes of the two tokens (DESIGN 5), named once for every route. */
export const BEARER_SECURITY = 'bearer';
export const SESSION_SECURITY = 'session-token';
/** Client-credentials tokens of the platform's services, on the `svc` routes (DESIGN 13). */
export const SERVICE_SECURITY = 'service-token';
