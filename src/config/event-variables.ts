/** The form of each events variable (validated at start with the others). */
export const EVENT_VARIABLES = {
  // Delays of up to a week, with up to 3 decimals (tests retry within a second).
  WEBHOOK_RETRY_SCHEDULE_SECONDS: {
    pattern: /^(?=[^,]*(,[^,]*){0,19}$)\d{1,6}(\.\d{1,3})?(,\d{1,6}(\.\d{1,3})?)*$/,
    message:
      'WEBHOOK_RETRY_SCHEDULE_SECONDS must be a comma-separated list of 1 to 20 delays in seconds (at most 604800 each), e.g. 5,30,120',
  },
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: {
    pattern: /^(true|false)$/,
    message: 'WEBHOOK_ALLOW_PRIVATE_NETWORKS must be true or false',
  },
  EVENTS_NATS_URL: {
    pattern: /^(nats|tls):\/\/[^\s,/]+(,(nats|tls):\/\/[^\s,/]+)*$/,
    message:
      'EVENTS_NATS_URL must be one or more comma-separated nats://host:port (or tls://) addresses',
  },
  EVENTS_NATS_SUBJECT_PREFIX: {
    pattern: /^[A-Za-z0-9_-]{1,64}(\.[A-Za-z0-9_-]{1,64}){0,7}$/,
    message:
      'EVENTS_NATS_SUBJECT_PREFIX must be 1 to 8 dot-separated tokens of letters, digits, _ or -',
  },
  EVENTS_NATS_STREAM: {
    pattern: /^[A-Za-z0-9_-]{1,64}$/,
    message: 'EVENTS_NATS_STREAM must be 1 to 64 letters, digits, _ or -',
  },
};
