#!/usr/bin/env bash
# Session 11: new (0a0033d) by-example x3 + old ae1ae77 x1, then tiers 2-3 x3 + old x1.
set -u
cd /work/main
T23=$(for t in $(cat /work/measure/s11/t23-tasks.txt); do printf -- "--filter=%s " $t; done)
E="--endpoint http://127.0.0.1:18080 --mode harness --jobs 1"
OLD=/work/measure/s10/old-bench
NEW=/work/measure/s11/new/smallcode-bench
O=/work/measure/s11
$NEW --tasks bench/tasks --filter=-ex- $E --trials 3 --out $O/ex-new > $O/ex-new.log 2>&1
$OLD --tasks bench/tasks --filter=-ex- $E --trials 1 --out $O/ex-old > $O/ex-old.log 2>&1
$NEW --tasks bench/tasks $T23 $E --trials 3 --out $O/t23-new > $O/t23-new.log 2>&1
$OLD --tasks bench/tasks $T23 $E --trials 1 --out $O/t23-old > $O/t23-old.log 2>&1
echo done > $O/run.done
