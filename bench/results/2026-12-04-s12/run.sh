#!/usr/bin/env bash
# Session 12: SmolLM2 tiers 2-3 x3 (new), Gemma by-example x3 (new), then old tiers 2-3 x1.
set -u
cd /work/main
T23=$(for t in $(cat /work/measure/s12/t23-tasks.txt); do printf -- "--filter=%s " $t; done)
E="--endpoint http://127.0.0.1:18080 --mode harness --jobs 1"
NEW=/work/measure/s12/bin3/smallcode-bench
OLD=/work/old/target/release/smallcode-bench
O=/work/measure/s12
$NEW --tasks bench/tasks $T23 $E --trials 3 --out $O/t23-new > $O/t23-new.log 2>&1
echo t23 > $O/run.stage
eval "$(scripts/deps.sh paths)"
G=/root/.cache/smallcode/models/gemma-3-270m-q4_k_m.gguf
setsid nice -n -15 $SMALLCODE_LLAMA_SERVER -m $G --alias gemma-3-270m --host 127.0.0.1 --port 18081 -c 8192 -t 2 --no-webui > $O/gemma-server.log 2>&1 < /dev/null &
SP=$!
for i in $(seq 60); do curl -sf http://127.0.0.1:18081/health >/dev/null && break; sleep 1; done
EG="--endpoint http://127.0.0.1:18081 --mode harness --jobs 1"
$NEW --tasks bench/tasks --filter=-ex- $EG --trials 3 --out $O/ex-gemma > $O/ex-gemma.log 2>&1
kill $SP
echo gemma > $O/run.stage
$OLD --tasks bench/tasks $T23 $E --trials 1 --out $O/t23-old > $O/t23-old.log 2>&1
echo done > $O/run.stage
