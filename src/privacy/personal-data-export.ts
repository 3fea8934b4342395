import { Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { toMySessionView } from '../auth';
import { AppException } from '../common/errors/app.exception';
import { ErrorCode } from '../common/errors/error-code';
import { toInvitationView } from '../invitations';
import { toMembershipView } from '../users-organizations';
import { EXPORT_SCHEMA, type ExportDocument } from './dto/export-document';
import { withoutPersonalFields } from './personal-data';
import {
  type AuditRowAbout,
  PersonalRowsRepository,
  type PersonRow,
  type Reach,
} from './personal-rows.repository';

/**
 * The export of DESIGN 15, written to the response as it is read: the small sections first,
 * then the audit trail a page at a time, waiting for the client whenever the socket's buffer
 * is full, so that a person with a long trail never sits whole in memory.
 */
@Injectable()
export class PersonalDataExport {
  private readonly logger = new Logger(PersonalDataExport.name);

  constructor(private readonly rows: PersonalRowsRepository) {}

  /** Everything about the person, in every organization, with their identity. */
  async own(userId: number, response: Response): Promise<void> {
    await this.write(response, await this.person(userId), undefined);
  }

  /** What one organization holds about its member, without the identity provider's names. */
  async member(organizationId: number, userId: number, response: Response): Promise<void> {
    await this.write(response, await this.person(userId), organizationId);
  }

  private async person(userId: number): Promise<PersonRow> {
    const person = await this.rows.person(userId);
    if (person === null) {
      throw new AppException(ErrorCode.USER_NOT_FOUND, 'No user has that id (or it was erased).');
    }
    return person;
  }

  private async write(
    response: Response,
    person: PersonRow,
    organizationId: number | undefined,
  ): Promise<void> {
    const reach: Reach = { userId: person.id, emailKey: person.emailKey, organizationId };
    const [memberships, invitations, sessions] = await Promise.all([
      this.rows.memberships(reach),
      this.rows.invitations(reach),
      this.rows.sessions(reach),
    ]);
    const head: Omit<ExportDocument, 'auditEvents'> = {
      schema: EXPORT_SCHEMA,
      exportedAt: new Date().toISOString(),
      user: {
        id: person.id,
        ...(organizationId === undefined ? { issuer: person.issuer, subject: person.subject } : {}),
        email: person.email,
        createdAt: person.createdAt.toISOString(),
      },
      memberships: memberships.map(toMembershipView),
      invitations: invitations.map((invitation) => toInvitationView(invitation)),
      sessions: sessions.map(toMySessionView),
    };
    const addressed = new Set(invitations.map((invitation) => invitation.id));
    const aboutThePerson = (row: AuditRowAbout) =>
      row.targetUserId === person.id ||
      (row.invitationId !== null && addressed.has(row.invitationId));
    response.status(200);
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.setHeader('Cache-Control', 'no-store');
    let text = `${JSON.stringify(head).slice(0, -1)},"auditEvents":[`;
    try {
      let first = true;
      for await (const row of this.rows.auditRows(reach, [...addressed])) {
        const changes = aboutThePerson(row) ? row.changes : withoutPersonalFields(row.changes);
        text += `${first ? '' : ','}${JSON.stringify({ ...row, changes, createdAt: row.createdAt.toISOString() })}`;
        first = false;
        if (text.length >= 64 * 1024) {
          await this.send(response, text);
          text = '';
        }
      }
      response.end(`${text}]}`);
    } catch (error) {
      if (!response.headersSent) throw error;
      if (response.destroyed) return; // the client left: nothing more to say to it
      // Part of the document is out: it cannot become an error response any more.
      this.logger.error(
        `An export of user ${person.id} stopped midway`,
        error instanceof Error ? error.stack : String(error),
      );
      response.destroy();
    }
  }

  /** Writes; when the socket's buffer is full, waits until it drains or the client leaves. */
  private async send(response: Response, text: string): Promise<void> {
    if (response.write(text)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        response.off('drain', done);
        response.off('close', done);
        resolve();
      };
      response.on('drain', done);
      response.on('close', done);
    });
    if (response.destroyed) throw new Error('The client closed the connection');
  }
}
