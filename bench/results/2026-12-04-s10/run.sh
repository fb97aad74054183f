#!/usr/bin/env bash
# Session 10 model benchmark: SmolLM2-135M on llama-server :18080, benchmark at nice -15 (renice.sh).
set -u
cd /work/main
T1=$(for t in $(cat /work/measure/s7/t1-tasks.txt); do printf -- "--filter=%s " $t; done)
E="--endpoint http://127.0.0.1:18080 --mode harness --jobs 1"
OLD=/work/measure/s10/old-bench        # ae1ae77 (session 9's last commit)
NEW=/work/measure/s10/smallcode-bench  # 3159e2a
O=/work/measure/s10
$OLD --tasks bench/tasks --filter=-ex- $E --trials 1 --out $O/ex-old > $O/ex-old.log 2>&1
$NEW --tasks bench/tasks --filter=-ex- $E --trials 3 --out $O/ex-new > $O/ex-new.log 2>&1
$OLD --tasks bench/tasks $T1 $E --trials 1 --out $O/t1-old > $O/t1-old.log 2>&1
$NEW --tasks bench/tasks $T1 $E --trials 1 --out $O/t1-new > $O/t1-new.log 2>&1
echo done > $O/run.done
