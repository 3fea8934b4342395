/** DESIGN 9's demo data, and the tokens and banner that let a newcomer try the API. */
export * from './demo-tokens';
export * from './development-banner';
export * from './seed-demo';
