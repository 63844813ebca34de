import { createRequire } from 'node:module';
import type * as DicomParser from 'dicom-parser';

// dicom-parser ships a UMD bundle whose named exports Node's ESM loader cannot see, so it is loaded
// through require; its own type declarations describe the module object.
const require = createRequire(import.meta.url);

/** The dicom-parser module (cornerstonejs/dicomParser). */
export const dicomParser = require('dicom-parser') as typeof DicomParser;

export type { ByteArray, DataSet, Element } from 'dicom-parser';
