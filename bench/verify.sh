#!/usr/bin/env bash
# Verifies the benchmark task suite: every task must FAIL its check on the unmodified fixture and
# PASS once its reference solution (bench/solutions/<id>/) is overlaid. Multi-round tasks: for each
# round N, the cumulative check chain (rounds 1..N) must fail on the state before round N's solution
# and pass after it. Also checks the task layout and that no task's files/ carries its check or
# hidden tests.
#
# Usage: bench/verify.sh [-j JOBS] [TASK_ID...]      (default: all tasks, JOBS = nproc)
#        bench/verify.sh --table                      (distribution table for bench/README.md)
# Prints one line per task and a final "N passed, N failed" line; exits non-zero on any violation.
set -u
BENCH="$(cd "$(dirname "$0")" && pwd)"
TASKS="$BENCH/tasks"
SOLS="$BENCH/solutions"
CHECK_TIMEOUT="${BENCH_CHECK_TIMEOUT:-60}"

# ---- one task -------------------------------------------------------------------------------
overlay() { # overlay SRC_DIR DEST_DIR: copy files, then delete paths listed in SRC_DIR/.delete
  local src="$1" dst="$2" p
  [ -d "$src" ] || return 0
  (cd "$src" && find . -type f ! -name .delete -print0 | while IFS= read -r -d '' p; do
    mkdir -p "$dst/$(dirname "$p")" && cp "$p" "$dst/$p"; done)
  if [ -f "$src/.delete" ]; then
    while IFS= read -r p; do [ -n "$p" ] && rm -rf "${dst:?}/$p"; done < "$src/.delete"
  fi
}

# run_checks STATE_DIR TASK_DIR CHECK... : runs the checks (in a scratch copy of STATE_DIR);
# returns 0 if all pass, 1 if any fails, 125 if a toolchain is missing.
run_checks() {
  local state="$1" td="$2"; shift 2
  local scratch rc c
  scratch="$(mktemp -d)"
  cp -a "$state/." "$scratch/"
  for c in "$@"; do
    (cd "$scratch" && TASK_DIR="$td" timeout "$CHECK_TIMEOUT" "$td/$c") >"$scratch.log" 2>&1
    rc=$?
    if [ "$rc" -eq 125 ]; then LAST_LOG="$(tail -3 "$scratch.log")"; rm -rf "$scratch" "$scratch.log"; return 125; fi
    if [ "$rc" -ne 0 ]; then LAST_LOG="$(tail -3 "$scratch.log")"; rm -rf "$scratch" "$scratch.log"; return 1; fi
  done
  LAST_LOG="$(tail -3 "$scratch.log" 2>/dev/null)"
  rm -rf "$scratch" "$scratch.log"
  return 0
}

verify_one() {
  local id="$1" td="$TASKS/$1" sd="$SOLS/$1" err="" t0 state rc n nrounds chain k
  t0=$(date +%s.%N)
  [ -d "$td" ] || err="no such task"
  [ -z "$err" ] && [ -f "$td/task.toml" ] || err="${err:-missing task.toml}"
  [ -z "$err" ] && [ -d "$td/files" ] || err="${err:-missing files/}"
  [ -z "$err" ] && [ -d "$sd" ] || err="${err:-missing solution bench/solutions/$id}"
  if [ -z "$err" ]; then
    # files/ must not carry the check or hidden tests
    if find "$td/files" \( -name check -o -name hidden \) | grep -q .; then err="files/ contains a check or hidden/"; fi
    if [ -z "$err" ]; then
      while IFS= read -r -d '' h; do
        while IFS= read -r -d '' f; do
          if cmp -s "$h" "$f"; then err="files/${f#"$td/files/"} is a copy of ${h#"$td/"}"; break 2; fi
        done < <(find "$td/files" -type f -print0)
      done < <(find "$td" -path "$td/files" -prune -o -type f \( -path '*/hidden/*' -o -name check \) -print0)
    fi
  fi
  state="$(mktemp -d)"
  if [ -z "$err" ] && [ -d "$td/rounds" ]; then
    nrounds=$(find "$td/rounds" -mindepth 1 -maxdepth 1 -type d | wc -l)
    cp -a "$td/files/." "$state/"
    chain=()
    for n in $(seq 1 "$nrounds"); do
      if [ ! -f "$td/rounds/$n/prompt.md" ] || [ ! -x "$td/rounds/$n/check" ]; then err="round $n: missing prompt.md or executable check"; break; fi
      [ -d "$sd/rounds/$n" ] || { err="round $n: missing solution rounds/$n"; break; }
      chain+=("rounds/$n/check")
      run_checks "$state" "$td" "${chain[@]}"; rc=$?
      if [ "$rc" -eq 125 ]; then err="round $n: toolchain missing (run bench/install-toolchains.sh): $LAST_LOG"; break; fi
      if [ "$rc" -eq 0 ]; then err="round $n: checks 1..$n PASS before round $n's solution"; break; fi
      overlay "$sd/rounds/$n" "$state"
      run_checks "$state" "$td" "${chain[@]}"; rc=$?
      if [ "$rc" -ne 0 ]; then err="round $n: checks 1..$n FAIL with the solution: $LAST_LOG"; break; fi
    done
    [ -z "$err" ] && k="$nrounds rounds"
  elif [ -z "$err" ]; then
    if [ ! -f "$td/prompt.md" ] || [ ! -x "$td/check" ]; then err="missing prompt.md or executable check"; fi
    if [ -z "$err" ]; then
      cp -a "$td/files/." "$state/"
      run_checks "$state" "$td" check; rc=$?
      if [ "$rc" -eq 125 ]; then err="toolchain missing (run bench/install-toolchains.sh): $LAST_LOG"
      elif [ "$rc" -eq 0 ]; then err="check PASSES on the unmodified fixture"
      else
        overlay "$sd" "$state"
        run_checks "$state" "$td" check; rc=$?
        [ "$rc" -eq 0 ] || err="check FAILS with the reference solution: $LAST_LOG"
      fi
    fi
    k="1 round"
  fi
  rm -rf "$state"
  local dt; dt=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b-a}')
  if [ -z "$err" ]; then
    printf 'ok   %-32s %5ss  (%s)\n' "$id" "$dt" "$k"
  else
    printf 'FAIL %-32s %5ss  %s\n' "$id" "$dt" "$(echo "$err" | tr '\n' ' ')"
  fi
}

if [ "${1:-}" = "--one" ]; then verify_one "$2"; exit 0; fi

# --table: print the distribution tables (markdown) from the task.toml files, for bench/README.md:
# the original suite (every category but by-example), the by-example tasks, then all categories.
if [ "${1:-}" = "--table" ]; then
  for f in "$TASKS"/*/task.toml; do
    awk -F' *= *' '{gsub(/"/, "", $2); v[$1]=$2} END {print v["language"], v["tier"], v["category"]}' "$f"
  done | awk '
    function table(kind,   i, l) {
      print "| language | tier 1 | tier 2 | tier 3 | total |"
      print "|---|---:|---:|---:|---:|"
      for (i = 1; i <= 6; i++) { l = L[i]; printf "| %s | %d | %d | %d | %d (%.0f%%) |\n", l, lt[kind" "l" 1"], lt[kind" "l" 2"], lt[kind" "l" 3"], lang[kind" "l], 100 * lang[kind" "l] / n[kind] }
      printf "| **all** | %d (%.0f%%) | %d (%.0f%%) | %d (%.0f%%) | %d |\n\n", tier[kind" 1"], 100 * tier[kind" 1"] / n[kind], tier[kind" 2"], 100 * tier[kind" 2"] / n[kind], tier[kind" 3"], 100 * tier[kind" 3"] / n[kind], n[kind]
    }
    { k = ($3 == "by-example") ? "ex" : "orig"; n[k]++; lang[k" "$1]++; tier[k" "$2]++; cat[$3]++; lt[k" "$1" "$2]++ }
    END {
      split("python javascript c rust go lua", L, " ")
      print "Original suite (errors and tests given):\n"
      table("orig")
      print "by-example (no tests in the project, expectations stated by example, hidden checks):\n"
      table("ex")
      split("fix-test implement compile-error runtime-error refactor feature multi-round by-example", C, " ")
      print "| category | tasks |"
      print "|---|---:|"
      for (i = 1; i <= 8; i++) printf "| %s | %d |\n", C[i], cat[C[i]]
    }'
  exit 0
fi

# ---- driver ---------------------------------------------------------------------------------
JOBS="$(nproc 2>/dev/null || echo 2)"
if [ "${1:-}" = "-j" ]; then JOBS="$2"; shift 2; fi
if [ "$#" -gt 0 ]; then ids=("$@"); else
  mapfile -t ids < <(find "$TASKS" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort)
fi
[ "${#ids[@]}" -gt 0 ] || { echo "no tasks found under $TASKS"; exit 1; }
start=$(date +%s)
out="$(printf '%s\n' "${ids[@]}" | xargs -P "$JOBS" -I{} "$0" --one {})"
out="$(echo "$out" | sort -k2)"
echo "$out"
passed=$(echo "$out" | grep -c '^ok ')
failed=$(echo "$out" | grep -c '^FAIL ')
echo "$passed passed, $failed failed ($(( $(date +%s) - start ))s, $JOBS jobs)"
[ "$failed" -eq 0 ] && [ "$passed" -eq "${#ids[@]}" ]
