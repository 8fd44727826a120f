# SPDX-License-Identifier: GPL-2.0-or-later
# Shared helpers for the shell tests: counts checks and reports them the
# way automake's test driver expects (exit 0 pass, 1 fail, 77 skip).
set -u
: "${MIPSIM:?MIPSIM must name the mipsim binary}"
: "${srcdir:?srcdir must name the source tree}"
checks=0
failures=0
ok() { checks=$((checks + 1)); echo "ok: $*"; }
not_ok() { checks=$((checks + 1)); failures=$((failures + 1)); echo "FAIL: $*"; }
check() { # check DESCRIPTION COMMAND...
  desc=$1; shift
  if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
finish() {
  echo "$checks checks, $failures failed"
  [ "$failures" -eq 0 ]
  exit $?
}
# A tool the test needs: skip when absent, unless CI demands every tool.
need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    if [ "${MIPSIM_REQUIRE_TOOLS:-0}" = 1 ]; then
      echo "FAIL: $1 is required (MIPSIM_REQUIRE_TOOLS=1) but not installed"
      exit 1
    fi
    echo "SKIP: $1 not installed"
    exit 77
  fi
}
workdir=$(mktemp -d "${TMPDIR:-/tmp}/mipsim-test.XXXXXX")
trap 'rm -rf "$workdir"' EXIT
