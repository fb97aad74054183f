#!/usr/bin/env bash
# Session 11, Gemma 3 270M (base): by-example x3 and tier 1 x1 with the new binary, own server on 18081.
set -u
cd /work/main
eval "$(scripts/deps.sh paths)"
G=/root/.cache/smallcode/models/gemma-3-270m-q4_k_m.gguf
setsid nice -n -15 $SMALLCODE_LLAMA_SERVER -m $G --alias gemma-3-270m --host 127.0.0.1 --port 18081 -c 8192 -t 2 --no-webui > /work/measure/s11/gemma-server.log 2>&1 < /dev/null &
SP=$!
for i in $(seq 60); do curl -sf http://127.0.0.1:18081/health >/dev/null && break; sleep 1; done
T1=$(for t in $(ls bench/tasks | grep -- '-t1-' | grep -v -- '-ex-'); do printf -- "--filter=%s " $t; done)
E="--endpoint http://127.0.0.1:18081 --mode harness --jobs 1"
NEW=/work/measure/s11/new/smallcode-bench
O=/work/measure/s11
$NEW --tasks bench/tasks --filter=-ex- $E --trials 3 --out $O/ex-gemma > $O/ex-gemma.log 2>&1
$NEW --tasks bench/tasks $T1 $E --trials 1 --out $O/t1-gemma > $O/t1-gemma.log 2>&1
kill $SP
echo done > $O/run2.done
