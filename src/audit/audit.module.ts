import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditEventEntity } from './entities/audit-event.entity';
import { AuditRepository } from './audit.repository';
import { ChangeRecorder } from './change-recorder';

/** Global: every module that changes memberships or sessions writes its audit events. */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([AuditEventEntity])],
  providers: [AuditRepository, ChangeRecorder],
  exports: [AuditRepository, ChangeRecorder],
})
export class AuditModule {}
