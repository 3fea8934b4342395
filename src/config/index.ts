/** The typed, validated configuration. */
export * from './app-config';
export * from './auth-config';
export * from './config.module';
export * from './environment';
export * from './events-config';
