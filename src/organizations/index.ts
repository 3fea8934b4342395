/** Organizations: the table, its lifecycle and the repository other modules read it through. */
export * from './entities/organization.entity';
export * from './organization';
export * from './organization-events';
export * from './organizations.module';
export * from './organizations.repository';
export { CreateOrganizationDto } from './dto/organization.dto';
export * from './organizations.service';
