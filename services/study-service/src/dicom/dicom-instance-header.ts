/**
 * An issuer of an identifier (HL7 v2 HD data type, as DICOM carries it): a local namespace and/or a
 * universal entity id with its type (`ISO` = OID, `UUID`, `URI`, `DNS`, …).
 */
export interface DicomIssuer {
  localNamespace?: string;
  universalEntityId?: string;
  universalEntityIdType?: string;
}

/** A coded entry of a DICOM code sequence. */
export interface DicomCode {
  code: string;
  /** Coding Scheme Designator, e.g. `SCT`, `LN`, `DCM`. */
  scheme: string;
  meaning?: string;
}

/**
 * What the study service keeps of one DICOM instance: identity, series and study attributes, the
 * patient identifier and accession number with their issuers. Patient Name and other demographics
 * are never read.
 */
export interface DicomInstanceHeader {
  transferSyntaxUid: string;
  sopClassUid: string;
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  /** Modality (0008,0060), upper-case; the SOP class's implied modality (or `OT`) when the file has none. */
  modality: string;
  studyId?: string;
  studyDescription?: string;
  seriesDescription?: string;
  seriesNumber?: number;
  instanceNumber?: number;
  /** Number of Frames (0028,0008) of multi-frame objects. */
  numberOfFrames?: number;
  /** Body Part Examined (0018,0015) as written. */
  bodyPartExamined?: string;
  /** Anatomic Region Sequence (0008,2218), top level or in the shared functional groups of enhanced objects. */
  anatomicRegion?: DicomCode;
  /** `L` or `R` from Laterality, Image Laterality or Frame Laterality. */
  laterality?: 'L' | 'R';
  accessionNumber?: string;
  accessionNumberIssuer?: DicomIssuer;
  patientId?: string;
  /** Issuer of Patient ID (0010,0021) as local namespace, plus its qualifiers' universal entity id. */
  patientIdIssuer?: DicomIssuer;
  /** Study Date as `YYYY-MM-DD`. */
  studyDate?: string;
  /** Study Time as `hh:mm:ss[.f]`. */
  studyTime?: string;
  /** Timezone Offset From UTC as `±hh:mm`. */
  timezoneOffset?: string;
  /** FHIR dateTime of the study: with time when the zone is known, else the date alone. */
  studyDateTime?: string;
  /** FHIR dateTime of the series, same rules. */
  seriesDateTime?: string;
  /** Procedure Code Sequence (0008,1032), else the Requested Procedure Code Sequence. */
  procedureCodes: DicomCode[];
  requestedProcedureDescription?: string;
  /** A human title of the object: SR document title, RT plan or structure set label, content label. */
  title?: string;
}
