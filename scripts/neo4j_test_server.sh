#!/usr/bin/env bash
# Start or stop the in-process Neo4j 5 that the test suite runs against (tests/support/neo4j).
#
#   exports=$(bash scripts/neo4j_test_server.sh start) && eval "$exports"   # sets KG_NEO4J_URI, _USER,
#   ...                                                                      # _PASSWORD, KG_NEO4J_TEST_DIR
#   bash scripts/neo4j_test_server.sh stop [dir]                             # default: $KG_NEO4J_TEST_DIR
#   bash scripts/neo4j_test_server.sh build                                  # only resolve + compile
#
# The first start resolves neo4j-harness from Maven Central into
# ${XDG_CACHE_HOME:-~/.cache}/kg-engine/neo4j-harness-<version>/ and compiles the launcher there; later
# starts are a plain `java -cp`. Each start gets its own temporary directory (store, log, pid, URI).
# Only the export lines go to stdout; progress and errors go to stderr. Any failure exits non-zero.
# Knobs: KG_NEO4J_HEAP (default 1g), KG_NEO4J_PAGECACHE (256m), KG_NEO4J_START_TIMEOUT (180 s),
# KG_PYTHON (the interpreter with the neo4j driver, default .venv/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."

SUPPORT=tests/support/neo4j
MAIN_CLASS=KgNeo4jTestServer
USER_NAME=neo4j
PASSWORD=kg-engine-test
PYTHON=${KG_PYTHON:-.venv/bin/python}

say() { echo "neo4j_test_server: $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

neo4j_version() { sed -n 's:.*<neo4j.version>\(.*\)</neo4j.version>.*:\1:p' "$SUPPORT/pom.xml"; }

cache_dir() { echo "${XDG_CACHE_HOME:-$HOME/.cache}/kg-engine/neo4j-harness-$(neo4j_version)"; }

# Resolve the harness jars and compile the launcher once; rebuild only when pom.xml or the class changes.
build() {
  command -v java >/dev/null || die "java not found (Neo4j 5.26 needs Java 17+)"
  command -v javac >/dev/null || die "javac not found (a JDK 17+ is needed to compile the launcher)"
  local cache stamp
  cache=$(cache_dir)
  stamp=$(cat "$SUPPORT/pom.xml" "$SUPPORT/$MAIN_CLASS.java" | sha256sum | cut -d' ' -f1)
  mkdir -p "$(dirname "$cache")"
  exec 9>"$cache.lock"
  flock 9  # two test runs building at once would interleave the copy
  if [ "$(cat "$cache/stamp" 2>/dev/null)" != "$stamp" ]; then
    command -v mvn >/dev/null || die "mvn not found: needed once to fetch neo4j-harness from Maven Central"
    say "resolving neo4j-harness $(neo4j_version) into $cache (once)"
    rm -rf "$cache" && mkdir -p "$cache/classes"
    mvn -q -B -f "$SUPPORT/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$cache/lib" -DincludeScope=runtime >&2 || die "mvn could not resolve neo4j-harness"
    javac -nowarn -cp "$cache/lib/*" -d "$cache/classes" "$SUPPORT/$MAIN_CLASS.java" >&2 \
      || die "javac could not compile $SUPPORT/$MAIN_CLASS.java"
    echo "$stamp" >"$cache/stamp"
  fi
  exec 9>&-
}

start() {
  build
  [ -x "$PYTHON" ] || die "$PYTHON not found: set KG_PYTHON to a Python with the neo4j driver"
  local cache dir pid timeout waited=0
  cache=$(cache_dir)
  dir=$(mktemp -d "${TMPDIR:-/tmp}/kg-neo4j.XXXXXX")
  timeout=${KG_NEO4J_START_TIMEOUT:-180}
  KG_NEO4J_PASSWORD=$PASSWORD nohup java "-Xmx${KG_NEO4J_HEAP:-1g}" -XX:+ExitOnOutOfMemoryError \
    -cp "$cache/classes:$cache/lib/*" "$MAIN_CLASS" "$dir/data" "$dir/uri" \
    </dev/null >"$dir/server.log" 2>&1 &
  pid=$!
  echo "$pid" >"$dir/pid"
  say "starting Neo4j $(neo4j_version) (pid $pid, log $dir/server.log)"
  until [ -s "$dir/uri" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 40 "$dir/server.log" >&2 || true
      die "the Neo4j test server exited during start-up (log above: $dir/server.log)"
    fi
    if [ "$waited" -ge "$timeout" ]; then
      tail -n 40 "$dir/server.log" >&2 || true
      stop "$dir"
      die "the Neo4j test server did not listen within ${timeout}s"
    fi
    sleep 1
    waited=$((waited + 1))
  done
  local uri
  uri=$(cat "$dir/uri")
  if ! KG_NEO4J_PASSWORD=$PASSWORD "$PYTHON" - "$uri" "$USER_NAME" >&2 <<'EOF'; then
import os, sys
import neo4j
with neo4j.GraphDatabase.driver(sys.argv[1], auth=(sys.argv[2], os.environ["KG_NEO4J_PASSWORD"])) as driver:
    driver.verify_connectivity()
EOF
    tail -n 40 "$dir/server.log" >&2 || true
    stop "$dir"
    die "the Neo4j test server at $uri does not answer Bolt"
  fi
  say "Neo4j answers at $uri after ${waited}s"
  printf 'export KG_NEO4J_URI=%q KG_NEO4J_USER=%q KG_NEO4J_PASSWORD=%q KG_NEO4J_TEST_DIR=%q\n' \
    "$uri" "$USER_NAME" "$PASSWORD" "$dir"
}

# Stop the server of `dir` (SIGTERM: it checkpoints and exits), then remove its directory.
stop() {
  local dir=${1:-${KG_NEO4J_TEST_DIR:-}}
  [ -n "$dir" ] && [ -f "$dir/pid" ] || die "no test server directory given (argument or KG_NEO4J_TEST_DIR)"
  local pid waited=0
  pid=$(cat "$dir/pid")
  if kill "$pid" 2>/dev/null; then
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 60 ]; do sleep 0.5; waited=$((waited + 1)); done
    if kill -0 "$pid" 2>/dev/null; then
      say "server $pid ignored SIGTERM for 30s; killing it"
      kill -9 "$pid" 2>/dev/null || true
    fi
  fi
  rm -rf "$dir"
  say "stopped the Neo4j test server (pid $pid)"
}

case "${1:-}" in
  build) build ;;
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 build|start|stop [dir]" >&2; exit 2 ;;
esac
