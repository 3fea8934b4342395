import { Injectable } from '@nestjs/common';
import { DatabaseService, SqlExecutor } from '../database';

export interface Profession {
  id: number;
  label: string;
}

/** The global catalogue of profession labels: the one table here not scoped by organization. */
@Injectable()
export class ProfessionsRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Ordered by label in the database's collation (case-insensitive on MySQL/MariaDB). */
  async findAll(): Promise<Profession[]> {
    const rows = await this.database.query<{ id: number | string; label: string }>(
      'SELECT `id`, `label` FROM `professions` ORDER BY `label`, `id`',
    );
    return rows.map((row) => ({ id: Number(row.id), label: row.label }));
  }

  async exists(executor: SqlExecutor, professionId: number): Promise<boolean> {
    const rows = await executor.query('SELECT 1 AS `found` FROM `professions` WHERE `id` = ?', [
      professionId,
    ]);
    return rows.length > 0;
  }
}
