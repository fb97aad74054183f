#!/usr/bin/env bash
# Session 9 model benchmark: SmolLM2-135M on llama-server :18080, benchmark at nice -15 (renice.sh).
set -u
cd /work/main
T1=$(for t in $(cat /work/measure/s7/t1-tasks.txt); do printf -- "--filter=%s " $t; done)
E="--endpoint http://127.0.0.1:18080 --mode harness --jobs 1"
OLD=/work/measure/after4/smallcode   # fcfea6d, run R's binary
NEW=/work/measure/s9/smallcode       # this session
# side by side, one trial each of the old binary between the new one's runs
$OLD bench --tasks bench/tasks --filter=-ex- $E --trials 1 --out /work/measure/s9/ex-old > /work/measure/s9/ex-old.log 2>&1
$NEW bench --tasks bench/tasks --filter=-ex- $E --trials 3 --out /work/measure/s9/ex-new > /work/measure/s9/ex-new.log 2>&1
$OLD bench --tasks bench/tasks $T1 $E --trials 1 --out /work/measure/s9/t1-old > /work/measure/s9/t1-old.log 2>&1
$NEW bench --tasks bench/tasks $T1 $E --trials 3 --out /work/measure/s9/t1-new > /work/measure/s9/t1-new.log 2>&1
echo done > /work/measure/s9/run.done
