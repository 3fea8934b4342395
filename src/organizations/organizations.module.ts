import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrganizationEntity } from './entities/organization.entity';

/**
 * The organizations table. Organizations are created by the platform operator, not through this
 * API; the memberships and sessions of an organization refer to it.
 */
@Module({ imports: [TypeOrmModule.forFeature([OrganizationEntity])] })
export class OrganizationsModule {}
