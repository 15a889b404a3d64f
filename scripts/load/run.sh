#!/usr/bin/env bash
# The load figures of the README, on one backend: seeds CASES cases (default 1,000,000), starts
# `gongkai serve` on them, and measures start-up, memory, filing under 64 keep-alive
# connections, the clerk queue and the case view, uploads of 20 MiB files (throughput and the
# process's memory while they stream in), then the storage ceiling for filing.
#
#   scripts/load/run.sh sqlite            # or: scripts/load/run.sh postgres
#   CASES=100000 DURATION=10 scripts/load/run.sh sqlite
#   REUSE=1 scripts/load/run.sh sqlite   # again on the cases seeded by the last run (no new seed)
#   UPLOADS=0 ...                        # without the uploads
set -euo pipefail
cd "$(dirname "$0")/../.."
backend=${1:-sqlite}
CASES=${CASES:-1000000}
DURATION=${DURATION:-20}
CONNECTIONS=${CONNECTIONS:-64}
READERS=${READERS:-4}
PORT=${PORT:-18080}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
work=target/load/$backend
export LOAD_DIR=scripts/load LOAD_TOKENS=$work/tokens LOAD_CASES=$work/cases LOAD_SESSIONS=$work/sessions

command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
cargo build --release --quiet --bin gongkai --example seed --example ceiling --example openloop
REUSE=${REUSE:-0}
if [ "$REUSE" = 1 ] && [ -s "$work/tokens" ]; then
    echo "== reusing the cases seeded in $work"
else
    REUSE=0
    rm -rf "$work" && mkdir -p "$work"
fi
# A fresh key, kept beside the data so that the service can be started on it again later.
export GONGKAI_SECRET_KEY_FILE=$work/secret.key
unset GONGKAI_SECRET_KEY
case "$backend" in
    sqlite)
        url="sqlite://$work/gongkai.db"
        sql() { sqlite3 -separator " " "$work/gongkai.db" "$1"; }
        ;;
    postgres)
        [ "$REUSE" = 1 ] || psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS gongkai_load" -c "CREATE DATABASE gongkai_load"
        url="$PG/gongkai_load"
        sql() { psql -qtA "$url" -F ' ' -c "$1"; }
        ;;
    *) echo "usage: $0 sqlite|postgres" >&2; exit 2 ;;
esac

if [ "$REUSE" = 0 ]; then
    echo "== seeding $CASES cases ($backend)"
    target/release/examples/seed --database-url "$url" --cases "$CASES" --tokens "$LOAD_TOKENS"
fi
CASES=$(sql "SELECT count(*) FROM applications")
sql "SELECT a.id, g.code FROM applications a JOIN agencies g ON g.id = a.agency_id ORDER BY random() LIMIT 5000" >"$LOAD_CASES"

# A console login for the first clerks of the seed (the queue page is read signed in).
gk() { target/release/gongkai --database-url "$url" "$@"; }
consoles=()
for code in $(awk '$1 != "auditor" {print $1}' "$LOAD_TOKENS" | head -n "$READERS"); do
    id=$(gk user list --agency "$code" | awk '$2 == "clerk" {print $1; exit}')
    gk user set-login --id "$id" --login "load-$code" >/dev/null
    echo "load-password-$code" | gk user set-password --id "$id" --password-stdin >/dev/null
    consoles+=("$code")
done

# Resident memory, and the part of it that is the process's own (not the database file's pages
# that SQLite maps in, which the kernel can drop at will).
rss() { awk '/^VmRSS/ {r = $2} /^RssAnon/ {a = $2} END {printf "%.1f MiB (%.1f MiB own)", r / 1024, a / 1024}' "/proc/$1/status"; }
own() { awk '/^RssAnon/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
hwm() { awk '/^VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

# One client on loopback files everything: the intake limits are off for the run.
start=$(date +%s.%N)
# glibc gives each busy thread a malloc arena of its own and keeps what they held: two arenas
# halve the memory left after an overload (README "Under load"); MALLOC_ARENA_MAX= unsets it.
MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX-2} \
GONGKAI_INTAKE_PER_CLIENT_PER_MINUTE=0 GONGKAI_INTAKE_PER_IDENTITY_PER_HOUR=0 \
    target/release/gongkai --database-url "$url" serve --bind "127.0.0.1:$PORT" \
    --mail-dir "$work/mail" 2>"$work/serve.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; do sleep 0.01; done
startup=$(echo "$(date +%s.%N) - $start" | bc)
sleep 2
at_rest=$(rss $server)

load() { # script connections seconds
    wrk -t2 -c"$2" -d"$3"s --latency -s "scripts/load/$1.lua" "http://127.0.0.1:$PORT" | grep '^RESULT' | cut -d' ' -f2-
}
echo "== filing, $CONNECTIONS connections, ${DURATION}s"
filing=$(load filing "$CONNECTIONS" "$DURATION")
under_load=$(rss $server)
peak=$(hwm $server)
echo "== clerk queue (due_within=3) and case view, $READERS connections, 10s each"
queue=$(load queue "$READERS" 10)
view=$(load view "$READERS" 10)
echo "== the clerk's queue page (/console/, signed in), $READERS connections, 10s"
sign_in() { # login password: prints the session cookie's secret
    local jar csrf
    jar=$(mktemp)
    csrf=$(curl -s -c "$jar" "http://127.0.0.1:$PORT/console/login" |
        grep -o 'name="csrf_token" value="[^"]*"' | head -n 1 | sed 's/.*value="//; s/"$//')
    curl -s -b "$jar" -c "$jar" -o /dev/null --data-urlencode "username=$1" \
        --data-urlencode "password=$2" --data-urlencode "csrf_token=$csrf" \
        "http://127.0.0.1:$PORT/console/login"
    awk '$6 == "gongkai_session" {print $7}' "$jar"
    rm -f "$jar"
}
for code in "${consoles[@]}"; do sign_in "load-$code" "load-password-$code"; done >"$LOAD_SESSIONS"
first=$(head -n 1 "$LOAD_SESSIONS")
status=$(curl -s -o /dev/null -w '%{http_code}' -b "gongkai_session=$first" "http://127.0.0.1:$PORT/console/")
[ "$status" = 200 ] || { echo "the queue page answered $status to a signed-in clerk" >&2; exit 1; }
console=$(load console_queue "$READERS" 10)

OPEN_FILINGS=${OPEN_FILINGS:-2000}
OPEN_READS=${OPEN_READS:-500}
echo "== open loop: $OPEN_FILINGS filings/s and $OPEN_READS queue reads/s on a fixed schedule, ${DURATION}s"
openloop=$(target/release/examples/openloop "http://127.0.0.1:$PORT" "$DURATION" "$OPEN_FILINGS" "$OPEN_READS" "$LOAD_TOKENS" | grep '^RESULT' | cut -d' ' -f2-)
open_own=$(own $server)

UPLOADS=${UPLOADS:-8}
uploads="not measured (UPLOADS=0)"
if [ "$UPLOADS" -gt 0 ]; then
    echo "== uploads: 20 MiB files to open cases by their offices' clerks, one at a time, then $READERS at once"
    upload_file=$work/upload.pdf
    { printf '%%PDF-1.4\n'; head -c $((20 * 1024 * 1024 - 9)) /dev/urandom; } >"$upload_file"
    sql "SELECT a.id, g.code FROM applications a JOIN agencies g ON g.id = a.agency_id WHERE a.status IN ('registered', 'accepted') ORDER BY a.id LIMIT $((UPLOADS * 2))" >"$work/open_cases"
    upload_one() { # case-id office-code
        local token
        token=$(awk -v c="$2" '$1 == c {print $2}' "$LOAD_TOKENS")
        curl -sf -o /dev/null -H "Authorization: Bearer $token" -F purpose=working \
            -F "file=@$upload_file;filename=load.pdf" "http://127.0.0.1:$PORT/api/v1/applications/$1/attachments"
    }
    # The process's own memory (RssAnon: not the database pages SQLite maps in), sampled every
    # 10 ms while uploads run: the most it held, in KiB, written to $2.
    sample_own() { local max=0 r; echo 0 >"$2"; while kill -0 "$1" 2>/dev/null; do
        r=$(awk '/^RssAnon/ {print $2}' "/proc/$1/status"); if [ "$r" -gt "$max" ]; then max=$r; echo "$max" >"$2"; fi
        sleep 0.01; done; }
    mib() { awk '{printf "%.1f", $1 / 1024}' "$1"; }
    own_before=$(own $server)
    sample_own $server "$work/own_one" & sampler=$!
    t0=$(date +%s.%N)
    head -n "$UPLOADS" "$work/open_cases" | while read -r id code; do upload_one "$id" "$code"; done
    t1=$(date +%s.%N)
    kill $sampler 2>/dev/null || true
    sample_own $server "$work/own_many" & sampler=$!
    t1b=$(date +%s.%N)
    tail -n "$UPLOADS" "$work/open_cases" | xargs -P "$READERS" -n 2 bash -c "$(declare -f upload_one); upload_file=$upload_file LOAD_TOKENS=$LOAD_TOKENS PORT=$PORT upload_one \"\$0\" \"\$1\""
    t2=$(date +%s.%N)
    kill $sampler 2>/dev/null || true
    uploads="one at a time $(echo "scale=1; $UPLOADS * 20 / ($t1 - $t0)" | bc) MiB/s (own memory at most $(mib "$work/own_one") MiB), $READERS at once $(echo "scale=1; $UPLOADS * 20 / ($t2 - $t1b)" | bc) MiB/s (at most $(mib "$work/own_many") MiB); ${own_before} MiB own before"
fi
kill -TERM $server && wait $server || true
trap - EXIT

echo "== storage ceiling: the same filings through diesel, one transaction each, ${DURATION}s"
ceiling=$(target/release/examples/ceiling "$url" "$DURATION" 8 | grep '^RESULT' | cut -d' ' -f2-)

field() { echo "$1" | tr ' ' '\n' | awk -F= -v k="$2" '$1 == k {print $2}'; }
ratio=$(echo "scale=2; $(field "$filing" rps) / $(field "$ceiling" rps)" | bc)
cat <<REPORT

backend            $backend, $CASES cases seeded, $(nproc) cores
start-up           ${startup} s to the first answer
memory             ${at_rest} at rest; after the filing load ${under_load}, peak ${peak} MiB
filing (HTTP)      $filing
filing ceiling     $ceiling
ratio              $ratio of the ceiling
clerk queue        $queue
case view          $view
queue page         $console
open loop          $(echo "$openloop" | head -n 1)
                   $(echo "$openloop" | tail -n 1); own memory after it ${open_own} MiB
uploads (20 MiB)   $uploads
REPORT
