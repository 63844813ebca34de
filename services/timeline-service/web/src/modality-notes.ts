import type { TimelineExam } from '../../src/domain/timeline.types.ts';

/** Plain-language notes for patients and families, written by the project team. */
export const MODALITY_NOTES: Record<
  NonNullable<TimelineExam['modality']>,
  { name: string; note: string; ionizing: boolean }
> = {
  CT: {
    name: 'CT scan',
    note: 'A CT scanner takes many X-ray pictures from different angles and builds detailed slices of the body. It uses ionizing radiation.',
    ionizing: true,
  },
  MR: {
    name: 'MRI scan',
    note: 'An MRI scanner uses a strong magnet and radio waves to make detailed pictures, especially of soft tissue and the brain. It uses no ionizing radiation.',
    ionizing: false,
  },
  PET: {
    name: 'PET or PET-CT scan',
    note: 'A small amount of a radioactive tracer is injected and shows how active tissues are; it is usually combined with a CT scan. It uses ionizing radiation.',
    ionizing: true,
  },
  US: {
    name: 'Ultrasound',
    note: 'Ultrasound uses sound waves, like an echo, to see organs and guide needles. It uses no ionizing radiation.',
    ionizing: false,
  },
  XR: {
    name: 'X-ray',
    note: 'An X-ray (including mammography) makes a single picture with a small dose of ionizing radiation.',
    ionizing: true,
  },
  NM: {
    name: 'Nuclear medicine scan',
    note: 'A radioactive tracer is injected and a camera follows where it goes, for example in a bone scan. It uses ionizing radiation.',
    ionizing: true,
  },
};
