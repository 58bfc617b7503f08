# Shared helpers for the integration scripts (*.sh, each one ctest test): each is run by ctest as `bash <script> <jpqd binary> <source dir>`.
set -euo pipefail
JPQD=${1:?usage: $0 <jpqd binary> <source dir>}
SRC=${2:?usage: $0 <jpqd binary> <source dir>}
WORK=$(mktemp -d)
trap '[ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
source "$(dirname "${BASH_SOURCE[0]}")/fixtures.bash"

# expect_error <exit code> <text the one-line error must contain> -- <command...>
# The command must exit with that code and print exactly one "jpqd: error:" line containing the text.
expect_error() {
  local code=$1 text=$2; shift 3
  local out rc=0
  out=$("$@" 2>&1 >/dev/null) || rc=$?
  [ "$rc" -eq "$code" ] || fail "expected exit $code, got $rc from: $* -- output: $out"
  local lines
  lines=$(grep -c '^jpqd: error:' <<<"$out" || true)
  [ "$lines" -eq 1 ] || fail "expected one 'jpqd: error:' line from: $* -- output: $out"
  grep -q -- "$text" <<<"$out" || fail "expected '$text' in the error of: $* -- output: $out"
}

json_value() {  # json_value <file> <key>
  /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

# expect_only_new_classifier <log>: fine-tuning a masked-LM checkpoint initialised exactly the pooler and classifier.
expect_only_new_classifier() {
  local newly expected="bert.pooler.dense.weight, bert.pooler.dense.bias, classifier.weight, classifier.bias"
  newly=$(grep -o 'newly initialized: \[[^]]*\]' "$1") || fail "no missing-key report in $1"
  [ "$newly" = "newly initialized: [$expected]" ] || fail "unexpected newly initialised weights: $newly"
}
