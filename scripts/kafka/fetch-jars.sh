#!/usr/bin/env bash
# Resolves Apache Kafka's broker jars (see pom.xml beside this script) from Maven Central into
# .cache/kafka/libs, once. The tests and `npm run bench` start a real single-node KRaft broker from
# these jars (scripts/kafka/broker.ts). Re-runs are no-ops while the cache matches the pom.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="${KAFKA_LIBS_DIR:-$root/.cache/kafka/libs}"
stamp="$cache/.pom.sha256"
want="$(sha256sum "$here/pom.xml" | cut -d' ' -f1)"

if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
  echo "kafka jars: cached in $cache"
  exit 0
fi
command -v java >/dev/null || { echo "kafka jars: java is not installed; the tests need a Java 17+ runtime (apt-get install openjdk-17-jre-headless)" >&2; exit 1; }
command -v mvn >/dev/null || { echo "kafka jars: mvn is not installed; it resolves Kafka's jars from Maven Central (apt-get install maven)" >&2; exit 1; }

tmp="$cache.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
echo "kafka jars: resolving from Maven Central into $cache"
mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp"
echo "$want" > "$tmp/.pom.sha256"
# Swap in whole so an interrupted download never leaves a half-filled cache that looks complete.
rm -rf "$cache"
mv "$tmp" "$cache"
echo "kafka jars: $(ls "$cache" | wc -l) jars in $cache"
