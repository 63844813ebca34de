// The part of dcmjs (no type declarations of its own) that the tests use to write DICOM files in
// other encodings than the fixtures: an independent writer for the reader under test.
declare module 'dcmjs' {
  interface DicomElement {
    vr: string;
    Value: unknown[];
  }

  type DicomElements = Record<string, DicomElement>;

  interface DicomDict {
    meta: DicomElements;
    dict: DicomElements;
    write(options?: { allowInvalidVRLength?: boolean }): ArrayBuffer;
  }

  interface Dcmjs {
    data: {
      DicomDict: new (meta: DicomElements) => DicomDict;
      DicomMessage: {
        readFile(
          buffer: ArrayBuffer,
          options?: { untilTag?: string; includeUntilTagValue?: boolean },
        ): DicomDict;
      };
      DicomMetaDictionary: {
        naturalizeDataset(dict: DicomElements): Record<string, unknown>;
        denaturalizeDataset(dataset: Record<string, unknown>): DicomElements;
      };
    };
  }

  const dcmjs: Dcmjs;
  export default dcmjs;
}
