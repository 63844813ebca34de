import type { Resource } from '@medplum/fhirtypes';
import { LungCancerPathwayResources } from '@oncoimg/testing/personas';

export interface DemoCohortOptions {
  orderBase: string;
  studyBase: string;
  reportBase: string;
  progress?: (line: string) => void;
}

/**
 * Loads the demo data through the services' real FHIR APIs. PUT with the personas' ids makes a
 * second load a no-op (`unchanged` versions publish nothing), so `npm start` can reload safely.
 */
export async function loadDemoCohort({
  orderBase,
  studyBase,
  reportBase,
  progress = () => {},
}: DemoCohortOptions) {
  const baseOf: Record<string, string> = {
    ServiceRequest: orderBase,
    ImagingStudy: studyBase,
    DiagnosticReport: reportBase,
  };
  const resources = LungCancerPathwayResources;
  let done = 0;
  for (const resource of resources) {
    const { meta: _meta, ...body } = resource as Resource & { id: string };
    const res = await fetch(`${baseOf[resource.resourceType]}/${resource.resourceType}/${body.id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/fhir+json' },
      body: JSON.stringify(body),
    });
    if (!res.ok)
      throw new Error(
        `demo data: PUT ${resource.resourceType}/${body.id} answered ${String(res.status)}: ${await res.text()}`,
      );
    done += 1;
    if (done % 10 === 0 || done === resources.length)
      progress(`Demo data: ${String(done)}/${String(resources.length)} resources`);
  }
}
