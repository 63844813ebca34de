#!/bin/sh
# Fetches HAPI FHIR's validator from Maven Central (pom.xml pins it) and compiles ValidateFiles.
# Idempotent: skips what .cache already holds. Afterwards everything runs offline:
#   java -cp "infra/fhir-validator/.cache/classes:infra/fhir-validator/.cache/libs/*" \
#     org.oncoimg.fhirvalidator.ValidateFiles file.json...
set -eu
cd "$(dirname "$0")"
if [ ! -f .cache/libs/.complete ]; then
  mvn -B -q dependency:copy-dependencies -DoutputDirectory=.cache/libs
  touch .cache/libs/.complete
fi
source=src/main/java/org/oncoimg/fhirvalidator/ValidateFiles.java
class=.cache/classes/org/oncoimg/fhirvalidator/ValidateFiles.class
if [ ! -f "$class" ] || [ "$source" -nt "$class" ]; then
  javac --release 17 -cp ".cache/libs/*" -d .cache/classes "$source"
fi
echo "FHIR validator ready: $(pwd)/.cache"
