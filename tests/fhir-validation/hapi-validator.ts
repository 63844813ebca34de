/**
 * Runs HAPI FHIR's R4 instance validator (infra/fhir-validator, built by its build.sh) over JSON
 * files, all in one JVM: start-up costs seconds, each file milliseconds.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'infra', 'fhir-validator');
const CACHE = join(ROOT, '.cache');
const MAIN_CLASS = 'org.oncoimg.fhirvalidator.ValidateFiles';

export interface ValidationIssue {
  severity: 'fatal' | 'error' | 'warning' | 'information';
  location: string | null;
  message: string;
}

export interface FileValidation {
  file: string;
  issues: ValidationIssue[];
}

/** Why the validator cannot run here, or null when it can. */
export function validatorMissing(): string | null {
  if (!existsSync(join(CACHE, 'libs', '.complete')) || !existsSync(join(CACHE, 'classes'))) {
    return `the HAPI FHIR validator is not built (run sh infra/fhir-validator/build.sh)`;
  }
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
  } catch {
    return 'java is not on the PATH';
  }
  return null;
}

/** Validates the files against FHIR R4 (core definitions only, offline). */
export async function validateFiles(files: readonly string[]): Promise<FileValidation[]> {
  const classpath = [join(CACHE, 'classes'), join(CACHE, 'libs', '*')].join(':');
  const { stdout } = await promisify(execFile)('java', ['-cp', classpath, MAIN_CLASS, ...files], {
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as FileValidation[];
}
