import { Module } from '@nestjs/common';
import { AuthzController, PdpMetadataController } from './authz.controller';
import { CandidatesRepository } from './candidates.repository';
import { DecisionFactsRepository } from './decision-facts.repository';
import { DecisionsService } from './decisions.service';
import { SearchesService } from './searches.service';

/**
 * Permission checks for the platform's other services (DESIGN 14): an AuthZEN decision point
 * on the `svc` plane, judging with the memberships module's policy functions.
 */
@Module({
  controllers: [AuthzController, PdpMetadataController],
  providers: [DecisionFactsRepository, CandidatesRepository, DecisionsService, SearchesService],
  exports: [DecisionsService],
})
export class AuthzModule {}
