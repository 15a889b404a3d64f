#!/usr/bin/env bash
# The load figures of the README, on one backend: seeds CASES cases (default 1,000,000), starts
# `gongkai serve` on them, and measures start-up, memory, filing under 64 keep-alive
# connections, the clerk queue and the case view, then the storage ceiling for filing.
#
#   scripts/load/run.sh sqlite            # or: scripts/load/run.sh postgres
#   CASES=100000 DURATION=10 scripts/load/run.sh sqlite
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
export LOAD_DIR=scripts/load LOAD_TOKENS=$work/tokens LOAD_CASES=$work/cases

command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
cargo build --release --quiet --bin gongkai --example seed --example ceiling
rm -rf "$work" && mkdir -p "$work"
# A fresh key, kept beside the data so that the service can be started on it again later.
export GONGKAI_SECRET_KEY_FILE=$work/secret.key
unset GONGKAI_SECRET_KEY
case "$backend" in
    sqlite)
        url="sqlite://$work/gongkai.db"
        sql() { sqlite3 -separator " " "$work/gongkai.db" "$1"; }
        ;;
    postgres)
        psql -q "$PG/postgres" -c "DROP DATABASE IF EXISTS gongkai_load" -c "CREATE DATABASE gongkai_load"
        url="$PG/gongkai_load"
        sql() { psql -qtA "$url" -F ' ' -c "$1"; }
        ;;
    *) echo "usage: $0 sqlite|postgres" >&2; exit 2 ;;
esac

echo "== seeding $CASES cases ($backend)"
target/release/examples/seed --database-url "$url" --cases "$CASES" --tokens "$LOAD_TOKENS"
sql "SELECT a.id, g.code FROM applications a JOIN agencies g ON g.id = a.agency_id ORDER BY random() LIMIT 5000" >"$LOAD_CASES"

# Resident memory, and the part of it that is the process's own (not the database file's pages
# that SQLite maps in, which the kernel can drop at will).
rss() { awk '/^VmRSS/ {r = $2} /^RssAnon/ {a = $2} END {printf "%.1f MiB (%.1f MiB own)", r / 1024, a / 1024}' "/proc/$1/status"; }
hwm() { awk '/^VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }

# One client on loopback files everything: the intake limits are off for the run.
start=$(date +%s.%N)
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
REPORT
