/** The professions catalogue and the organizations' groups. */
export * from './catalogues.module';
export * from './entities/organization-group.entity';
export * from './entities/profession.entity';
export * from './groups.repository';
export * from './professions.repository';
