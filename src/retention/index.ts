/** Retention (DESIGN 12): old sessions and audit rows purged in batches. */
export * from './retention.module';
export * from './retention.service';
