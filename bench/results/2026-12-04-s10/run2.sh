#!/usr/bin/env bash
# Session 10, part 2: tiers 2-3 (the 38 non-example tasks of tiers 2-3), after ex-new finishes.
set -u
cd /work/main
while kill -0 24508 2>/dev/null; do sleep 5; done
T23=$(for t in $(cat /work/measure/s10/t23-tasks.txt); do printf -- "--filter=%s " $t; done)
E="--endpoint http://127.0.0.1:18080 --mode harness --jobs 1"
OLD=/work/measure/s10/old-bench             # ae1ae77
NEW=/work/measure/s10/new2/smallcode-bench  # fa2b70e
O=/work/measure/s10
$NEW --tasks bench/tasks $T23 $E --trials 1 --out $O/t23-new-a > $O/t23-new-a.log 2>&1
$OLD --tasks bench/tasks $T23 $E --trials 1 --out $O/t23-old > $O/t23-old.log 2>&1
$NEW --tasks bench/tasks $T23 $E --trials 1 --out $O/t23-new-b > $O/t23-new-b.log 2>&1
echo done > $O/run2.done
