/** Header names the API reads, in one place. */
export enum ApiHeader {
  SessionToken = 'x-session-token',
  IfMatch = 'if-match',
  ETag = 'ETag',
}

/** The Swagger description of the ETag a response carries (memberships, organizations). */
export const ETAG_RESPONSE_HEADER = {
  [ApiHeader.ETag]: {
    description: 'The entity tag of the returned state.',
    schema: { type: 'string' },
  },
};
