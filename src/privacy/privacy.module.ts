import { Module } from '@nestjs/common';
import { UsersOrganizationsModule } from '../users-organizations';
import { ErasureRepository } from './erasure.repository';
import { ErasureService } from './erasure.service';
import { PersonalDataExport } from './personal-data-export';
import { PersonalRowsRepository } from './personal-rows.repository';
import { PrivacyController, ServiceErasureController } from './privacy.controller';

/**
 * The person's control over their data (DESIGN 15): the export, for the person and for an
 * organization's administrators, and the erasure, by the person or an operator's client.
 */
@Module({
  imports: [UsersOrganizationsModule],
  controllers: [PrivacyController, ServiceErasureController],
  providers: [PersonalRowsRepository, PersonalDataExport, ErasureRepository, ErasureService],
})
export class PrivacyModule {}
