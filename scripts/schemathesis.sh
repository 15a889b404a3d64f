#!/usr/bin/env bash
# Fuzzes a running gongkai from api/openapi.yaml with schemathesis: every operation with
# examples, boundary ("coverage") and random data, then stateful sequences that follow the
# spec's links (file → read → act → act …). Fails on any 5xx and on any response that does not
# conform to the spec (status code, content type, headers, body schema), among other checks.
#
#   scripts/schemathesis.sh [PATH_TO_GONGKAI]      (default target/debug/gongkai)
#
# Every run starts from a fresh database in a temporary directory, with one office (BJHD), a
# clerk and an approver of it, and an auditor and an admin bound to none; about twenty cases are
# then taken through the workflow over HTTP, to give the fuzzer cases in most states. The
# clerk's token is sent to every operation but the audit endpoints (the auditor's), and the two
# calendar uploads, the staff accounts and adding a division (the admin's), so that their 2xx
# are reached too. The office has one division (FGC).
#
# Environment:
#   SCHEMATHESIS_VENV          the Python venv to use/create (default target/schemathesis-venv)
#   SCHEMATHESIS_MAX_EXAMPLES  test cases per operation and phase, and the most scenarios per
#                              stateful run (default 200)
#   SCHEMATHESIS_STATEFUL_RUNS how many stateful runs, with consecutive seeds (default 4)
#   SCHEMATHESIS_STATEFUL_STEPS  the most steps in one stateful scenario (default 20)
#   SCHEMATHESIS_SEED          the random seed (default 20260301), which fixes the generated
#                              data (two workers still interleave their requests as they go)
#   SCHEMATHESIS_WORKERS       concurrent workers (default 2)
#   SCHEMATHESIS_REPORT_DIR    if set, JUnit and NDJSON reports of each run are written there
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
trap 'exit 130' INT TERM
setup_failed() {
    echo "schemathesis.sh: $1" >&2
    cat "$tmp/setup.log" >&2
    exit 1
}

export GONGKAI_DATABASE_URL="sqlite://$tmp/g.db"
export GONGKAI_SECRET_KEY_FILE="$tmp/secret.key"
unset GONGKAI_SECRET_KEY

"$bin" agency add --code BJHD --name 北京市海淀区人民政府 >>"$tmp/setup.log" 2>&1 ||
    setup_failed "could not add the office"
# How applicants pay: without it the office may send no fee notice (409 payment_details_missing).
"$bin" agency set-payment --agency BJHD --payee 北京市海淀区财政局 --channel 北京市非税收入缴费平台 \
    >>"$tmp/setup.log" 2>&1 || setup_failed "could not set the office's payment details"
# A division (处室), for the division endpoints and the queue's `division` filter to find.
"$bin" division add --agency BJHD --code FGC --name 法规处 >>"$tmp/setup.log" 2>&1 ||
    setup_failed "could not add the division"
# The token is the last line of `user add`'s output.
add_user() {
    local out
    out=$("$bin" user add "$@" 2>>"$tmp/setup.log" | tail -n 1) || true
    [[ $out == gks_* ]] || setup_failed "could not add the user $*"
    echo "$out"
}
clerk=$(add_user --name 张三 --role clerk --agency BJHD)
approver=$(add_user --name 赵六 --role approver --agency BJHD)
auditor=$(add_user --name 李四 --role auditor)
admin=$(add_user --name 王五 --role admin)

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

healthy() {
    python3 - "$base/healthz" 2>/dev/null <<'EOF'
import sys, urllib.request
sys.exit(0 if urllib.request.urlopen(sys.argv[1], timeout=1).status == 200 else 1)
EOF
}
for _ in $(seq 1 100); do
    if healthy || ! kill -0 "$server_pid" 2>/dev/null; then break; fi
    sleep 0.1
done
if ! healthy; then
    echo "schemathesis.sh: the server did not come up (GET /healthz)" >&2
    cat "$tmp/server.log" >&2
    exit 1
fi

# Cases in most states of the workflow, for the fuzzer to read and act on: random ids find
# nothing, and random sequences of actions seldom get far (an answer needs a clerk's draft and
# an approver's approval). Their ids are given to the case operations below.
python3 - "$base" "$clerk" "$approver" >"$tmp/seeded.txt" <<'PY'
import json, sys, urllib.error, urllib.request

base, clerk, approver = sys.argv[1:]

def call(method, path, token=None, body=None, if_match=None, expect=200):
    req = urllib.request.Request(base + path, method=method)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if if_match is not None:
        req.add_header("If-Match", f'"{if_match}"')
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, data, timeout=30) as res:
            status, text = res.status, res.read().decode()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read().decode()
    if status != expect:
        sys.exit(f"seeding: {method} {path} {json.dumps(body, ensure_ascii=False)} answered {status}: {text}")
    return json.loads(text) if text else None

person = {"kind": "natural_person", "name": "张三", "id_document_type": "resident_id_card",
          "id_number": "11010519491231002X", "phone": "+86 138 0013 8000",
          "email": "zhangsan@example.com", "address": "北京市海淀区某某路1号"}
company = {"kind": "organisation", "organisation_type": "commercial_enterprise",
           "name": "福州某某科技有限公司", "id_document_type": "unified_social_credit_code", "email": "office@example.com",
           "id_number": "91350100M000100Y43", "phone": "0591-8765 4321",
           "address": "福建省福州市鼓楼区某某路1号"}
wanted = {"description": "2025年本区老旧小区改造项目的资金安排文件", "document_number": "区政办发〔2025〕12号",
          "information_form": "electronic", "delivery_method": "email"}

def file(applicant=person):
    return call("POST", "/api/v1/applications", body={"agency_code": "BJHD", "applicant": applicant,
                "request": wanted}, expect=201)

def act(case, action, body=None, token=clerk):
    done = call("POST", f"/api/v1/applications/{case['id']}/actions/{action}", token,
                body or {}, if_match=case["version"])
    done["access_token"] = case.get("access_token")
    return done

cases = []
def keep(case):
    cases.append(case["id"])
    return case

# Today in China. An online filing made on a day off is received on the next working day
# (art. 31), after today: the cases below that need dated steps today are then handed in instead.
today = file()["registered_on"]
def received_today(applicant=person):
    c = file(applicant)
    if c["received_on"] == today:
        return c
    return call("POST", "/api/v1/registrations", clerk, {"channel": "in_person", "received_on": today,
                "applicant": applicant, "request": wanted}, expect=201)

draft = {"outcome": "partly_disclosed", "reasoning": "合同单价涉及第三方商业秘密，其余部分予以公开。",
         "legal_basis": "《政府信息公开条例》第十五条、第三十七条",
         "withheld": [{"part": "合同单价", "ground": "withheld_third_party_rights",
                       "legal_basis": "《政府信息公开条例》第十五条", "reasoning": "第三方不同意公开"}]}

# Delivered, with its letter, a lawsuit after reconsideration and its result.
c = act(act(received_today(), "accept"), "propose_decision", draft)
c = act(act(c, "approve", token=approver), "deliver", {"method": "email", "delivered_on": today})
c = act(c, "record_challenge", {"kind": "litigation", "after_reconsideration": True,
                                "filed_on": today, "authority": "某区人民法院"})
events = call("GET", f"/api/v1/applications/{c['id']}/events", clerk)["items"]
challenge = next(e["payload"]["challenge_id"] for e in events if e["action"] == "record_challenge")
keep(act(c, "record_challenge_result", {"challenge_id": challenge, "result": "upheld", "decided_on": today}))
# Delivered by post (timely by the day posted), its return receipt still to be recorded: not held
# here, another office responsible, with a convenience reply.
c = act(received_today(company), "accept")
c = act(c, "propose_decision", {"outcome": "unavailable_not_held", "reasoning": "本机关未制作或获取该信息。",
        "not_this_office": True, "responsible_office": "北京市海淀区财政局",
        "responsible_contact": "010-00000000", "convenience_reply": "可向区财政局咨询。"})
keep(act(act(c, "approve", token=approver), "deliver", {"method": "post", "posted_on": today}))
# Approved, waiting for delivery; a draft returned; a draft waiting for approval.
keep(act(act(act(file(), "accept"), "propose_decision", {"outcome": "disclosed", "reasoning": "予以公开。"}),
         "approve", token=approver))
keep(act(act(act(file(), "accept"), "propose_decision", {"outcome": "other", "reasoning": "另行处理。",
         "other_procedure": "按档案查阅程序办理"}), "return", {"comments": "请补充理由"}, token=approver))
keep(act(act(file(), "accept"), "propose_decision", {"outcome": "not_processed_repeat",
         "reasoning": "重复申请。", "earlier_application": "BJHD-2026-000001"}))
# Two consultations under way at once; one ended with an objection, and a disclosure drafted
# over it (the objecting party is to be told first, art. 32).
c = act(act(received_today(company), "accept"), "start_consultation", {"party_kind": "third_party",
        "party_name": "某某科技有限公司", "party_email": "legal@example.com", "letter_date": today})
keep(act(c, "start_consultation", {"party_kind": "agency", "party_name": "区财政局", "letter_date": today}))
c = act(act(received_today(), "accept"), "start_consultation", {"party_kind": "third_party",
        "party_name": "某某建设工程有限公司", "letter_date": today})
c = act(c, "end_consultation", {"reply": "objection", "reply_date": today, "reply_summary": "不同意公开"})
keep(act(c, "propose_decision", {"outcome": "disclosed", "reasoning": "公开涉及公共利益。"}))
# A correction awaited, its notice sent by post; one answered by the applicant online.
keep(act(file(), "request_correction", {"items": ["请写明所需信息的文号"], "period_working_days": 15,
                                        "by_post": True}))
c = act(act(file(), "accept"), "request_correction", {"items": ["请写明所需信息的名称"], "period_working_days": 5})
keep(act(c, "submit_correction", {"statement": "所需信息为2025年度资金安排文件", "description": "2025年度资金安排文件"},
         token=c["access_token"]))
# A fee notice unpaid; one paid.
keep(act(act(file(), "accept"), "issue_fee_notice", {"scale": "per_page", "pages": 120}))
c = act(act(received_today(), "accept"), "issue_fee_notice", {"scale": "per_page", "pages": 250,
        "reduction_fen": 1000, "reduction_reason": "困难减免"})
keep(act(c, "record_payment", {"paid_on": today, "amount_fen": 469000, "receipt_number": "No.0012345"}))
# An extension granted, reasons asked, an office-set period; an extension refused.
c = act(act(file(), "accept"), "request_extension", {"working_days": 20, "reason": "需调取历年档案"})
c = act(act(c, "grant_extension", {"note": "同意"}, token=approver), "ask_for_reasons",
        {"questions": "请说明申请理由"})
c = act(c, "reply_to_reasons", {"reply": "课题研究需要", "received_on": today})
keep(act(c, "set_answer_period", {"working_days": 60, "reason": "申请数量明显超过合理范围"}, token=approver))
c = act(act(file(), "accept"), "request_extension", {"working_days": 5, "reason": "需调取档案"})
keep(act(c, "refuse_extension", {"comments": "无需延期"}, token=approver))
# Not processed (不予处理), answered in writing from registration, with a reconsideration;
# withdrawn by the applicant.
c = act(received_today(), "propose_decision", {"outcome": "not_processed_petition", "reasoning": "信访事项。"})
c = act(act(c, "approve", token=approver), "deliver", {"method": "email", "delivered_on": today})
keep(act(c, "record_challenge", {"kind": "reconsideration", "filed_on": today}))
c = file()
keep(act(c, "withdraw", {"reason": "不再需要"}, token=c["access_token"]))
# Registered by mail: one waiting for its date of receipt; one received long ago (overdue); one
# received long ago, accepted and never answered, with a reconsideration over the failure to answer.
reg = {"channel": "mail", "applicant": company, "request": {**wanted, "delivery_method": "post"}}
keep(call("POST", "/api/v1/registrations", clerk, {**reg, "received_on": None}, expect=201))
keep(call("POST", "/api/v1/registrations", clerk, {**reg, "received_on": "2025-03-03"}, expect=201))
c = act(call("POST", "/api/v1/registrations", clerk, {**reg, "received_on": "2025-03-03"}, expect=201), "accept")
keep(act(c, "record_challenge", {"kind": "reconsideration", "filed_on": today}))
keep(file())
print(" ".join(f'"{i}"' for i in cases))
PY
"$bin" close-lapsed >>"$tmp/setup.log" 2>&1 || setup_failed "gongkai close-lapsed failed"
cases=$(tail -n 1 "$tmp/seeded.txt")

max_examples=${SCHEMATHESIS_MAX_EXAMPLES:-200}
stateful_steps=${SCHEMATHESIS_STATEFUL_STEPS:-20}
cat >"$tmp/schemathesis.toml" <<EOF
headers = { Authorization = "Bearer $clerk" }

# Nothing is carried over from an earlier run (and nothing is written in the work tree).
[cache]
enabled = false

# negative_data_rejection's own list of refusals, plus 413: a schema-violating body over 64 KiB
# (a string far over its maxLength) is refused for its size first, as documented.
[checks.negative_data_rejection]
expected-statuses = [400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 428, 429, "5xx"]

# Longer scenarios than the default 6 steps, so that a case is filed, then moved along the
# workflow by several actions in a row (the links of components/links in the spec).
[phases.stateful]
max-steps = $stateful_steps

# Values the fuzzer cannot guess but needs to get past the checks against the office's records
# (a known office, identity numbers with valid check characters), used most of the time so
# that filings succeed and the stateful phase has cases to work on.
[dictionaries.agency]
values = ["BJHD"]

[dictionaries.division]
values = ["FGC"]

[dictionaries.id_number]
# A resident ID card and a unified social credit code with valid check characters; both are
# also valid numbers for the other document types.
values = ["11010519491231002X", "91350100M000100Y43"]

[dictionaries.case]
values = [$(echo "$cases" | sed 's/ /, /g')]

[dictionaries.report_row]
values = ["new", "carried_over", "disclosed", "partly_disclosed", "unavailable_not_held", "not_processed_petition", "other_fee_unpaid", "other", "results_total", "carried_forward"]

[dictionaries.report_column]
values = ["natural_person", "commercial_enterprise", "other_organisation", "total"]

[dictionaries.year]
values = [2025, 2026]

[parameters]
"query.agency" = { dictionary = "agency", probability = 0.7 }
"path.code" = { dictionary = "agency", probability = 0.7 }
"query.division" = { dictionary = "division", probability = 0.5 }

[[operations]]
include-path-regex = "^/api/v1/reports/"
parameters = { "query.year" = { dictionary = "year", probability = 0.5 }, "query.row" = { dictionary = "report_row", probability = 0.7 }, "query.column" = { dictionary = "report_column", probability = 0.7 } }

# The seeded cases, for the operations on one case (random UUIDs would only find 404s).
[[operations]]
include-path-regex = "^/api/v1/applications/[{]id[}]"
parameters = { "path.id" = { dictionary = "case", probability = 0.8 } }

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
include-operation-id = ["loadCalendarYear", "setLocalDaysOff", "createDivision"]
headers = { Authorization = "Bearer $admin" }

# Staff accounts are the admin's; the audit of calendar loads the auditor's.
[[operations]]
include-operation-id = ["listUsers", "createUser", "getUser", "disableUser", "enableUser", "rotateUserToken"]
headers = { Authorization = "Bearer $admin" }

[[operations]]
include-operation-id = ["listCalendarLoads"]
headers = { Authorization = "Bearer $auditor" }
EOF

seed=${SCHEMATHESIS_SEED:-20260301}
stateful_runs=${SCHEMATHESIS_STATEFUL_RUNS:-4}

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
run=0
failed=()
run_schemathesis() {
    run=$((run + 1))
    echo "$1 (seed $2)" >"$tmp/run-$run.name"
    if run_once "$1" "$2"; then
        return
    fi
    # A run that found no failing check but stopped on an error of its own (Hypothesis or
    # Python crashing, as schemathesis sometimes does) is tried once more, the same way; a
    # failing check, or the same error again, fails the script.
    if ! grep -q '^=* FAILURES' "$tmp/run-$run.log"; then
        echo "schemathesis.sh: run $run stopped on an error of the tool, not a failing check: once more"
        cp "$tmp/run-$run.log" "$tmp/run-$run.first.log"
        if run_once "$1" "$2"; then
            return
        fi
    fi
    status=1
    failed+=("$run")
}

run_once() {
    local report=()
    if [[ -n ${SCHEMATHESIS_REPORT_DIR:-} ]]; then
        report=(--report junit,ndjson --report-dir "$SCHEMATHESIS_REPORT_DIR/$run-$1")
    fi
    echo
    echo "==> schemathesis, $1 (seed $2)"
    HYPOTHESIS_STORAGE_DIRECTORY="$tmp/hypothesis" \
    "$st" --config-file "$tmp/schemathesis.toml" run api/openapi.yaml \
        --url "$base" \
        --checks all \
        --exclude-checks positive_data_acceptance \
        --phases "$1" \
        --max-examples "$max_examples" \
        --seed "$2" \
        --generation-database none \
        --workers "${SCHEMATHESIS_WORKERS:-2}" \
        --request-timeout 30 \
        --no-color \
        "${report[@]}" 2>&1 | tee "$tmp/run-$run.log"
}

run_schemathesis examples,coverage,fuzzing "$seed"
# A stateful run stops once Hypothesis has tried what it can reach from its seed: anywhere from
# a dozen to a few hundred scenarios. Several runs with consecutive seeds even that out.
for i in $(seq 1 "$stateful_runs"); do
    run_schemathesis stateful $((seed + i))
done

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
# Left out: the HTTP layer's own complaint about schemathesis's probe for NUL bytes in headers
# (refused with a bare 400 before the service sees it).
if grep -E ' (ERROR|WARN) |"level":"(ERROR|WARN)"|panicked' "$tmp/server.log" |
    grep -v 'actix_http::h1::dispatcher: stream error: request parse error: invalid Header provided' \
        >"$tmp/server-errors.log"; then
    echo "schemathesis.sh: the server logged errors:" >&2
    head -n 50 "$tmp/server-errors.log" >&2
fi
# A failed run's report again at the very end, where a CI log's tail shows it.
for n in "${failed[@]}"; do
    echo
    echo "schemathesis.sh: run $n, $(cat "$tmp/run-$n.name"), FAILED; its report:"
    if grep -q '^=* \(FAILURES\|ERRORS\)' "$tmp/run-$n.log"; then
        sed -n '/^=* \(FAILURES\|ERRORS\)/,$p' "$tmp/run-$n.log" | head -n 120
    else
        tail -n 60 "$tmp/run-$n.log"
    fi
done
exit "$status"
