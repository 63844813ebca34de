import type { AuditEvent } from '@medplum/fhirtypes';
import { patientKeyOfAuditEvent } from '@oncoimg/fhir-events';
import type { Queryable } from '@oncoimg/store';

export interface AuditEventQuery {
  /** Only this patient's events; every patient's when undefined. */
  patient?: string;
  /** `recorded >= from` */
  from?: Date;
  /** `recorded < to` */
  to?: Date;
  count: number;
  offset: number;
}

export interface AuditEventStore {
  /** Stores events; one already stored (same id) is left as it is. */
  insert(q: Queryable, events: readonly AuditEvent[]): Promise<number>;
  /** Newest first; `total` counts every match, not only this page. */
  search(query: AuditEventQuery): Promise<{ total: number; events: AuditEvent[] }>;
  /** Deletes events recorded before `before`; returns how many. */
  prune(before: Date): Promise<number>;
}

const COLUMNS = 4;

export function createAuditEventStore({ db }: { db: Queryable }): AuditEventStore {
  return {
    async insert(q, events) {
      if (events.length === 0) {
        return 0;
      }
      const params: unknown[] = [];
      const tuples = events.map((event, index) => {
        params.push(event.id, patientKeyOfAuditEvent(event) ?? null, event.recorded, JSON.stringify(event));
        const at = index * COLUMNS;
        return `($${at + 1}, $${at + 2}, $${at + 3}, $${at + 4}::jsonb)`;
      });
      const result = await q.query(
        `INSERT INTO audit_events (id, patient_key, recorded, resource) VALUES ${tuples.join(', ')}
         ON CONFLICT (id) DO NOTHING`,
        params,
      );
      return result.rowCount;
    },
    async search({ patient, from, to, count, offset }) {
      const conditions: string[] = [];
      const params: unknown[] = [];
      const where = (sql: string, value: unknown) => {
        params.push(value);
        conditions.push(sql.replace('?', `$${String(params.length)}`));
      };
      if (patient !== undefined) {
        where('patient_key = ?', patient);
      }
      if (from) {
        where('recorded >= ?', from.toISOString());
      }
      if (to) {
        where('recorded < ?', to.toISOString());
      }
      const filter = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
      const { rows: counted } = await db.query<{ total: string }>(
        `SELECT count(*) AS total FROM audit_events ${filter}`,
        params,
      );
      const { rows } = await db.query<{ resource: AuditEvent }>(
        `SELECT resource FROM audit_events ${filter} ORDER BY recorded DESC, id
         LIMIT ${String(count)} OFFSET ${String(offset)}`,
        params,
      );
      return { total: Number(counted[0]?.total ?? 0), events: rows.map((row) => row.resource) };
    },
    async prune(before) {
      const result = await db.query('DELETE FROM audit_events WHERE recorded < $1', [before.toISOString()]);
      return result.rowCount;
    },
  };
}
