package org.oncoimg.fhirvalidator;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;

/**
 * Validates FHIR R4 JSON files against the core R4 definitions bundled with HAPI FHIR, offline,
 * in one JVM run (start-up costs seconds; each file then takes milliseconds).
 *
 * <p>Usage: {@code java -cp ... org.oncoimg.fhirvalidator.ValidateFiles file.json...}. Prints one
 * JSON array on stdout: {@code [{"file": ..., "issues": [{"severity", "location", "message"}]}]}.
 * Exit status 0 when every file was read (whatever the issues), 2 on a usage or read error: the
 * caller judges the issues.
 */
public final class ValidateFiles {
  private ValidateFiles() {}

  public static void main(String[] args) throws IOException {
    if (args.length == 0) {
      System.err.println("usage: ValidateFiles file.json...");
      System.exit(2);
    }
    FhirContext context = FhirContext.forR4();
    ValidationSupportChain chain =
        new ValidationSupportChain(
            new DefaultProfileValidationSupport(context),
            new CommonCodeSystemsTerminologyService(context),
            new InMemoryTerminologyServerValidationSupport(context),
            new SnapshotGeneratingValidationSupport(context));
    FhirInstanceValidator module = new FhirInstanceValidator(chain);
    // No terminology server is reachable: SNOMED CT and LOINC codes cannot be looked up, which is
    // a warning of the validator's, not a defect of the resource.
    module.setNoTerminologyChecks(true);
    // Only the R4 core definitions are here: a profile from an IG (mCODE's is in no registry these
    // machines reach) is reported as a warning, and the resource is still checked against R4.
    module.setErrorForUnknownProfiles(false);
    FhirValidator validator = context.newValidator().registerValidatorModule(module);

    StringBuilder out = new StringBuilder("[");
    for (int i = 0; i < args.length; i++) {
      String text = Files.readString(Path.of(args[i]), StandardCharsets.UTF_8);
      ValidationResult result = validator.validateWithResult(text);
      if (i > 0) {
        out.append(',');
      }
      out.append("{\"file\":").append(quote(args[i])).append(",\"issues\":[");
      List<SingleValidationMessage> messages = result.getMessages();
      for (int j = 0; j < messages.size(); j++) {
        SingleValidationMessage message = messages.get(j);
        if (j > 0) {
          out.append(',');
        }
        out.append("{\"severity\":")
            .append(quote(message.getSeverity().getCode()))
            .append(",\"location\":")
            .append(quote(message.getLocationString()))
            .append(",\"message\":")
            .append(quote(message.getMessage()))
            .append('}');
      }
      out.append("]}");
    }
    out.append(']');
    System.out.println(out);
  }

  private static String quote(String value) {
    if (value == null) {
      return "null";
    }
    StringBuilder quoted = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      switch (c) {
        case '"' -> quoted.append("\\\"");
        case '\\' -> quoted.append("\\\\");
        case '\n' -> quoted.append("\\n");
        case '\r' -> quoted.append("\\r");
        case '\t' -> quoted.append("\\t");
        default -> {
          if (c < 0x20) {
            quoted.append(String.format("\\u%04x", (int) c));
          } else {
            quoted.append(c);
          }
        }
      }
    }
    return quoted.append('"').toString();
  }
}
