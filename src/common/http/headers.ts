/** Header names the API reads, in one place. */
export enum ApiHeader {
  SessionToken = 'x-session-token',
  IfMatch = 'if-match',
  ETag = 'ETag',
}
