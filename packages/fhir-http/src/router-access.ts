import { notFound, OperationOutcomeError } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { isStoreError, patientKeysOf, type StoredResource } from '@oncoimg/store';
import type { Response } from 'express';

/**
 * The access check of one request: the patient the caller is then restricted to (undefined: every
 * patient the scopes allow), or an OperationOutcomeError (403 naming the missing scope). The
 * service runtime supplies it from the verified token; `permissions` are SMART v2 letters.
 */
export type Authorize = (
  res: Response,
  resourceType: string,
  permissions: string,
) => { patient: string | undefined };

/** SMART v2 permissions of a Bundle entry's method: PUT creates or updates. */
export const ENTRY_PERMISSIONS: Readonly<Record<string, string>> = {
  POST: 'c',
  PUT: 'cu',
  DELETE: 'd',
  GET: 'rs',
  HEAD: 'rs',
  PATCH: 'u',
};

/** Whether `resource` belongs to `patient` (undefined: no restriction). */
export function belongsTo(
  resource: Resource | Record<string, unknown>,
  patient: string | undefined,
): boolean {
  if (patient === undefined) {
    return true;
  }
  try {
    return patientKeysOf(resource as Resource).includes(patient);
  } catch {
    // An untrusted body too broken to name a patient names none (validation then refuses it).
    return false;
  }
}

/** What another patient's resource answers: the same 404 as a missing one. */
export function notVisible(): OperationOutcomeError {
  return new OperationOutcomeError(notFound);
}

/**
 * Another patient's resource answers 404, as a missing one does: a patient-context caller learns
 * nothing about resources outside its patient.
 */
export function requireOwnPatient(
  resource: Resource | Record<string, unknown>,
  patient: string | undefined,
): void {
  if (!belongsTo(resource, patient)) {
    throw notVisible();
  }
}

/** Before a write under patient context: the version it replaces must be this patient's too. */
export async function requireStoredOwnPatient(
  read: () => Promise<StoredResource>,
  patient: string | undefined,
): Promise<void> {
  if (patient === undefined) {
    return;
  }
  try {
    requireOwnPatient(await read(), patient);
  } catch (error) {
    // Nothing there yet (or deleted): the write creates it, and its body was checked.
    if (isStoreError(error) && (error.code === 'NOT_FOUND' || error.code === 'DELETED')) {
      return;
    }
    throw error;
  }
}

/** The methods of a Bundle's entries, for the scope each needs (unreadable entries are left to the backend). */
export function entryMethodsOf(body: Record<string, unknown>): string[] {
  const entries = Array.isArray(body.entry) ? (body.entry as unknown[]) : [];
  const methods = entries.map((entry) => {
    const request = (entry as { request?: { method?: unknown } } | null)?.request;
    return typeof request?.method === 'string' ? request.method : '';
  });
  return [...new Set(methods.filter((method) => method in ENTRY_PERMISSIONS))];
}

/**
 * Under patient context every entry of a Bundle must be that patient's: its resource, and for a
 * PUT or DELETE the stored version it replaces. Another patient's entry refuses the whole Bundle.
 */
export async function requireBundleOwnPatient(
  body: Record<string, unknown>,
  patient: string | undefined,
  read: (id: string) => Promise<StoredResource>,
): Promise<void> {
  if (patient === undefined) {
    return;
  }
  const entries = Array.isArray(body.entry) ? (body.entry as unknown[]) : [];
  for (const entry of entries) {
    const { resource, request } = (entry ?? {}) as {
      resource?: Record<string, unknown>;
      request?: { url?: unknown };
    };
    if (resource !== undefined) {
      requireOwnPatient(resource, patient);
    }
    const id = typeof request?.url === 'string' ? request.url.split('?')[0]?.split('/')[1] : undefined;
    if (id) {
      await requireStoredOwnPatient(() => read(id), patient);
    }
  }
}
