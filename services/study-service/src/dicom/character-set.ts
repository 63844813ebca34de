import { TextDecoder } from 'node:util';

/**
 * Text decoding by Specific Character Set (0008,0005), for the free-text attributes kept from a
 * header (descriptions, labels, issuers). UIDs, codes and numbers are ASCII and need none of this.
 */

// Defined Terms of PS3.3 C.12.1.1.2 → WHATWG encoding labels. The ISO 2022 variants switch
// character sets with escape sequences; `iso-2022-jp` understands its own, and Korean G1
// (KS X 1001) bytes are the EUC-KR bytes once the one designation sequence is removed.
const ENCODING_OF_TERM: Readonly<Partial<Record<string, string>>> = {
  'ISO_IR 6': 'windows-1252',
  'ISO_IR 100': 'windows-1252',
  'ISO_IR 101': 'iso-8859-2',
  'ISO_IR 109': 'iso-8859-3',
  'ISO_IR 110': 'iso-8859-4',
  'ISO_IR 144': 'iso-8859-5',
  'ISO_IR 127': 'iso-8859-6',
  'ISO_IR 126': 'iso-8859-7',
  'ISO_IR 138': 'iso-8859-8',
  'ISO_IR 148': 'windows-1254',
  'ISO_IR 203': 'iso-8859-15',
  'ISO_IR 13': 'shift_jis',
  'ISO_IR 166': 'windows-874',
  'ISO_IR 192': 'utf-8',
  GB18030: 'gb18030',
  GBK: 'gbk',
  'ISO 2022 IR 6': 'windows-1252',
  'ISO 2022 IR 100': 'windows-1252',
  'ISO 2022 IR 101': 'iso-8859-2',
  'ISO 2022 IR 109': 'iso-8859-3',
  'ISO 2022 IR 110': 'iso-8859-4',
  'ISO 2022 IR 144': 'iso-8859-5',
  'ISO 2022 IR 127': 'iso-8859-6',
  'ISO 2022 IR 126': 'iso-8859-7',
  'ISO 2022 IR 138': 'iso-8859-8',
  'ISO 2022 IR 148': 'windows-1254',
  'ISO 2022 IR 203': 'iso-8859-15',
  'ISO 2022 IR 13': 'shift_jis',
  'ISO 2022 IR 87': 'iso-2022-jp',
  'ISO 2022 IR 159': 'iso-2022-jp',
  'ISO 2022 IR 149': 'euc-kr',
  'ISO 2022 IR 58': 'gb18030',
  'ISO 2022 IR 166': 'windows-874',
};

// ESC $ ) C designates KS X 1001 to G1 (Korean); ESC $ ) A designates GB 2312 to G1 (Chinese).
const G1_DESIGNATIONS = ['\u001b$)C', '\u001b$)A'];

const ASCII_DECODER = new TextDecoder('windows-1252');

/** Decodes bytes of text attributes of one data set. */
export interface TextDecoderLike {
  decode(bytes: Uint8Array): string;
}

/**
 * A decoder for a data set's Specific Character Set values. With code extensions (several values)
 * the last non-default term decides, since the first one is the ASCII default. Unknown terms fall
 * back to Latin-1, which keeps ASCII (every UID, code and number) intact.
 */
export function textDecoderFor(specificCharacterSet: readonly string[]): TextDecoderLike {
  const terms = specificCharacterSet.map((term) => term.trim()).filter(Boolean);
  const term = terms.findLast((t) => ENCODING_OF_TERM[t] && !/IR (?:6|100)$/.test(t)) ?? terms.at(0);
  const label = term ? ENCODING_OF_TERM[term] : undefined;
  if (!label) {
    return ASCII_DECODER;
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label);
  } catch {
    // A Node build without full ICU lacks the CJK decoders.
    return ASCII_DECODER;
  }
  const stripsDesignations = /^(?:euc-kr|gb18030)$/.test(label) && term?.startsWith('ISO 2022');
  return {
    decode(bytes) {
      const text = decoder.decode(bytes);
      return stripsDesignations
        ? G1_DESIGNATIONS.reduce((rest, designation) => rest.replaceAll(designation, ''), text)
        : text;
    },
  };
}
