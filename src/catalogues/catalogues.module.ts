import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { CataloguesService } from './catalogues.service';
import { OrganizationGroupEntity } from './entities/organization-group.entity';
import { ProfessionEntity } from './entities/profession.entity';
import { GroupsController } from './groups.controller';
import { GroupsRepository } from './groups.repository';
import { ProfessionsController } from './professions.controller';
import { ProfessionsRepository } from './professions.repository';

/** The professions and the session organization's groups that memberships refer to. */
@Module({
  imports: [TypeOrmModule.forFeature([ProfessionEntity, OrganizationGroupEntity])],
  controllers: [ProfessionsController, GroupsController],
  providers: [ProfessionsRepository, GroupsRepository, CataloguesService],
  exports: [ProfessionsRepository, GroupsRepository],
})
export class CataloguesModule {}
