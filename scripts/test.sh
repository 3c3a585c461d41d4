#!/usr/bin/env bash
# Install the dev dependencies into .venv and run the whole test suite, the Neo4j half included.
#
# Unless KG_NEO4J_URI is already set (then the tests run against that server, and wipe it), an
# in-process Neo4j 5 is started for the run (scripts/neo4j_test_server.sh) and always stopped after it.
# If it cannot start, the run fails. KG_TEST_NEO4J=0 opts out: the Neo4j tests are then skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
# The CPU wheel of torch lies on disk; installing it first keeps the project's torch>=2.3 range satisfied.
.venv/bin/python -m pip install --quiet "torch==2.13.0"
.venv/bin/python -m pip install --quiet -e ".[dev]"
.venv/bin/ruff check .

# The analyst web page's end-to-end test drives Debian's Chromium (Playwright never downloads a browser).
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "test.sh: no /usr/bin/chromium and no root apt-get: the browser test will be skipped" >&2
  fi
fi
if [ -x /usr/bin/chromium ]; then export KG_REQUIRE_BROWSER=1; fi

if [ "${KG_TEST_NEO4J:-1}" = "0" ]; then
  echo "test.sh: KG_TEST_NEO4J=0: NOT starting Neo4j; the Neo4j tests will be skipped" >&2
elif [ -n "${KG_NEO4J_URI:-}" ]; then
  echo "test.sh: running the Neo4j tests against your server at $KG_NEO4J_URI (it will be wiped)" >&2
  export KG_REQUIRE_NEO4J=1
else
  if ! exports=$(bash scripts/neo4j_test_server.sh start); then
    echo "test.sh: FAILED: the Neo4j test server did not start (see above); set KG_NEO4J_URI to use" \
      "your own server, or KG_TEST_NEO4J=0 to skip the Neo4j tests" >&2
    exit 1
  fi
  eval "$exports"
  trap 'bash scripts/neo4j_test_server.sh stop "$KG_NEO4J_TEST_DIR"' EXIT
  trap 'exit 130' INT TERM
  export KG_REQUIRE_NEO4J=1
fi

set +e
.venv/bin/python -m pytest -q "$@"
rc=$?
set -e
# pytest exits 5 when it collected no tests; that is not a failure of the suite.
if [ "$rc" -eq 5 ]; then rc=0; fi
exit "$rc"
