#!/usr/bin/env bash
# Session 10, final binary (a000dc7): by-example x2 and tiers 2-3 x2 (old rows: ex-old, t23-old above).
set -u
cd /work/main
T23=$(for t in $(cat /work/measure/s10/t23-tasks.txt); do printf -- "--filter=%s " $t; done)
E="--endpoint http://127.0.0.1:18080 --mode harness --jobs 1"
NEW=/work/measure/s10/final/smallcode-bench
O=/work/measure/s10
$NEW --tasks bench/tasks --filter=-ex- $E --trials 2 --out $O/ex-final > $O/ex-final.log 2>&1
$NEW --tasks bench/tasks $T23 $E --trials 2 --out $O/t23-final > $O/t23-final.log 2>&1
echo done > $O/run3.done
