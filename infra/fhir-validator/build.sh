#!/bin/sh
# Fetches HAPI FHIR's validator from Maven Central (pom.xml pins it) and compiles ValidateFiles.
# Idempotent: skips what .cache already holds. Afterwards everything runs offline:
#   java -cp "infra/fhir-validator/.cache/classes:infra/fhir-validator/.cache/libs/*" \
#     org.oncoimg.fhirvalidator.ValidateFiles file.json...
set -eu
cd "$(dirname "$0")"
# The marker holds the digest of the pom that fetched the jars: another pom fetches afresh.
pom_digest=$(sha256sum pom.xml | cut -d' ' -f1)
if [ "$(cat .cache/libs/.complete 2>/dev/null)" != "$pom_digest" ]; then
  rm -rf .cache/libs .cache/classes
  mvn -B -q dependency:copy-dependencies -DoutputDirectory=.cache/libs
  echo "$pom_digest" > .cache/libs/.complete
fi
source=src/main/java/org/oncoimg/fhirvalidator/ValidateFiles.java
class=.cache/classes/org/oncoimg/fhirvalidator/ValidateFiles.class
if [ ! -f "$class" ] || [ "$source" -nt "$class" ]; then
  javac --release 17 -cp ".cache/libs/*" -d .cache/classes "$source"
fi
echo "FHIR validator ready: $(pwd)/.cache"
