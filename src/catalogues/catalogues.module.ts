import { Module } from '@nestjs/common';
import { CataloguesService } from './catalogues.service';
import { GroupsController } from './groups.controller';
import { GroupsRepository } from './groups.repository';
import { ProfessionsController } from './professions.controller';
import { ProfessionsRepository } from './professions.repository';

/** The professions and the session organization's groups that memberships refer to. */
@Module({
  controllers: [ProfessionsController, GroupsController],
  providers: [ProfessionsRepository, GroupsRepository, CataloguesService],
  exports: [ProfessionsRepository, GroupsRepository],
})
export class CataloguesModule {}
