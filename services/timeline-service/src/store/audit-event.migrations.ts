import type { Migration } from '@oncoimg/store';

/**
 * AuditEvents consumed from `imaging.audit.v1`, searchable by patient and time. The AuditEvent id
 * is the primary key, so a redelivered message inserts nothing.
 */
export const auditEventMigrations: readonly Migration[] = [
  {
    id: 'timeline.audit.001-create',
    sql: `
      CREATE TABLE audit_events (
        id text PRIMARY KEY,
        patient_key text,
        recorded timestamptz NOT NULL,
        resource jsonb NOT NULL
      );
      CREATE INDEX audit_events_patient ON audit_events (patient_key, recorded DESC, id);
      CREATE INDEX audit_events_recorded ON audit_events (recorded DESC, id);
    `,
  },
];
