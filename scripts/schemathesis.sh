#!/usr/bin/env bash
# Fuzzes a running gongkai from api/openapi.yaml with schemathesis: every operation with
# examples, boundary ("coverage") and random data, then stateful sequences that follow the
# spec's links (file → read → act → act …). Fails on any 5xx and on any response that does not
# conform to the spec (status code, content type, headers, body schema), among other checks.
#
#   scripts/schemathesis.sh [PATH_TO_GONGKAI]      (default target/debug/gongkai)
#
# Every run starts from a fresh database in a temporary directory, with one office (BJHD), a
# clerk of it, an auditor and an admin bound to none. The clerk's token is sent to every
# operation but the audit endpoints (the auditor's) and the two calendar uploads (the admin's),
# so that their 200s are reached too.
#
# Environment:
#   SCHEMATHESIS_VENV          the Python venv to use/create (default target/schemathesis-venv)
#   SCHEMATHESIS_MAX_EXAMPLES  test cases per operation (and stateful scenarios; default 60)
#   SCHEMATHESIS_STATEFUL_STEPS  the most steps in one stateful scenario (default 20)
#   SCHEMATHESIS_SEED          the random seed (default 20260301): the same seed, binary and spec
#                              generate the same requests
#   SCHEMATHESIS_WORKERS       concurrent workers (default 2)
#   SCHEMATHESIS_REPORT_DIR    if set, a JUnit and a NDJSON report are written there
set -euo pipefail

SCHEMATHESIS_VERSION=4.32.5

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:-target/debug/gongkai}
if [[ ! -x $bin ]]; then
    echo "schemathesis.sh: no gongkai binary at $bin (build it, or pass its path)" >&2
    exit 2
fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
cd "$root"

venv=${SCHEMATHESIS_VENV:-target/schemathesis-venv}
st="$venv/bin/schemathesis"
if [[ ! -x $st ]] || [[ $("$st" --version 2>/dev/null) != "schemathesis, version $SCHEMATHESIS_VERSION" ]]; then
    echo "schemathesis.sh: installing schemathesis $SCHEMATHESIS_VERSION into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gongkai-schemathesis.XXXXXX")
server_pid=
cleanup() {
    if [[ -n $server_pid ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

export GONGKAI_DATABASE_URL="sqlite://$tmp/g.db"
export GONGKAI_SECRET_KEY_FILE="$tmp/secret.key"
unset GONGKAI_SECRET_KEY

# The token is the last line of `user add`'s output.
"$bin" agency add --code BJHD --name 北京市海淀区人民政府 >/dev/null 2>>"$tmp/setup.log"
clerk=$("$bin" user add --name 张三 --role clerk --agency BJHD 2>>"$tmp/setup.log" | tail -n 1)
auditor=$("$bin" user add --name 李四 --role auditor 2>>"$tmp/setup.log" | tail -n 1)
admin=$("$bin" user add --name 王五 --role admin 2>>"$tmp/setup.log" | tail -n 1)
for t in "$clerk" "$auditor" "$admin"; do
    [[ $t == gks_* ]] || { echo "schemathesis.sh: could not create the staff users" >&2; cat "$tmp/setup.log" >&2; exit 1; }
done

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
# One client filing hundreds of times: the intake rate limits are off. The lapse job would only
# add noise (it runs at start and then hourly); mail goes to .eml files in the temp dir.
GONGKAI_INTAKE_PER_CLIENT_PER_MINUTE=0 \
GONGKAI_INTAKE_PER_IDENTITY_PER_HOUR=0 \
GONGKAI_JOB_INTERVAL=3600 \
GONGKAI_MAIL_DIR="$tmp/mail" \
    "$bin" serve --bind "127.0.0.1:$port" >"$tmp/server.log" 2>&1 &
server_pid=$!

for _ in $(seq 1 100); do
    if python3 - "$base/healthz" <<'EOF' 2>/dev/null; then break; fi
import sys, urllib.request
sys.exit(0 if urllib.request.urlopen(sys.argv[1], timeout=1).status == 200 else 1)
EOF
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "schemathesis.sh: the server did not start" >&2
        cat "$tmp/server.log" >&2
        exit 1
    fi
    sleep 0.1
done

max_examples=${SCHEMATHESIS_MAX_EXAMPLES:-60}
stateful_steps=${SCHEMATHESIS_STATEFUL_STEPS:-20}
cat >"$tmp/schemathesis.toml" <<EOF
headers = { Authorization = "Bearer $clerk" }

# Values the fuzzer cannot guess but needs to get past the checks against the office's records
# (a known office, identity numbers with valid check characters), used most of the time so
# that filings succeed and the stateful phase has cases to work on.
[dictionaries.agency]
values = ["BJHD"]

[dictionaries.id_number]
# A resident ID card and a unified social credit code with valid check characters; both are
# also valid numbers for the other document types.
values = ["11010519491231002X", "91350100M000100Y43"]

[parameters]
"query.agency" = { dictionary = "agency", probability = 0.7 }
"path.code" = { dictionary = "agency", probability = 0.7 }

# Longer scenarios than the default 6 steps, so that a case is filed, then moved along the
# workflow by several actions in a row (the links of `components/links` in the spec).
[phases.stateful]
max-steps = $stateful_steps

[[operations]]
include-operation-id = ["fileApplication"]
parameters = { "body.agency_code" = { dictionary = "agency", probability = 0.9 }, "body.applicant.id_number" = { dictionary = "id_number", probability = 0.9 } }

[[operations]]
include-operation-id = ["registerApplication"]
parameters = { "body.applicant.id_number" = { dictionary = "id_number", probability = 0.9 } }

[[operations]]
include-path-regex = "^/api/v1/audit/"
headers = { Authorization = "Bearer $auditor" }

[[operations]]
include-operation-id = ["loadCalendarYear", "setLocalDaysOff"]
headers = { Authorization = "Bearer $admin" }
EOF

report_args=()
if [[ -n ${SCHEMATHESIS_REPORT_DIR:-} ]]; then
    report_args=(--report junit,ndjson --report-dir "$SCHEMATHESIS_REPORT_DIR")
fi

# Every check but one, excluded because it asks for something this API deliberately does
# otherwise:
# - positive_data_acceptance expects any schema-valid request to be accepted (2xx, or
#   401/403/404/409). Here a schema-valid request is still checked against the office's
#   records and the calendar — a known office code, an identity number's check character,
#   dates not in the future nor before the date of receipt, the action named in the path
#   taking that body (`ActionInput` is the union of every action's input), cross-parameter
#   rules of the calculators — and refused with a documented 400/422/428. Such rules cannot be
#   written in JSON Schema, so the check would flag the API for having business rules.
status=0
"$st" --config-file "$tmp/schemathesis.toml" run api/openapi.yaml \
    --url "$base" \
    --checks all \
    --exclude-checks positive_data_acceptance \
    --phases examples,coverage,fuzzing,stateful \
    --max-examples "$max_examples" \
    --seed "${SCHEMATHESIS_SEED:-20260301}" \
    --generation-database none \
    --workers "${SCHEMATHESIS_WORKERS:-2}" \
    --request-timeout 30 \
    --no-color \
    "${report_args[@]}" || status=$?

if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "schemathesis.sh: the server died during the run" >&2
    status=1
else
    # What the run reached: responses by operation and status (the 405s of unsupported_method
    # left out), from the service's own counters.
    echo
    echo "Responses by route and status (from GET /metrics):"
    python3 - "$base/metrics" <<'PY' || true
import re, sys, urllib.request
text = urllib.request.urlopen(sys.argv[1], timeout=5).read().decode()
rows = {}
for m in re.finditer(r'^gongkai_http_requests_total\{method="([^"]*)",route="([^"]*)",status="([^"]*)"\} (\d+)', text, re.M):
    method, route, status, n = m.groups()
    if status != "405":
        rows.setdefault((route, method), []).append(f"{status}×{n}")
for (route, method), counts in sorted(rows.items()):
    print(f"  {method:6} {route:45} {' '.join(sorted(counts))}")
PY
fi
if grep -E ' (ERROR|WARN) |"level":"(ERROR|WARN)"|panicked' "$tmp/server.log" >"$tmp/server-errors.log"; then
    echo "schemathesis.sh: the server logged errors:" >&2
    head -n 50 "$tmp/server-errors.log" >&2
fi
exit "$status"
