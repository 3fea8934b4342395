/** The organizations table. */
export * from './entities/organization.entity';
export * from './organizations.module';
