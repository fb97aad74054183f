#!/usr/bin/env bash
# Session 13: the current binary (63ceede) — SmolLM2 by-example x3, tier 1 x3; then Gemma tiers 2-3 x1.
set -u
cd /work/main
O=/work/measure/s13
B=$O/bin/smallcode-bench
eval "$(scripts/deps.sh paths)"
setsid nice -n -15 $SMALLCODE_LLAMA_SERVER -m $SMALLCODE_GGUF --alias SmolLM2-135M-Instruct --host 127.0.0.1 --port 18080 -c 8192 -t 2 --no-webui > $O/smol-server.log 2>&1 < /dev/null &
SP=$!
for i in $(seq 60); do curl -sf http://127.0.0.1:18080/health >/dev/null && break; sleep 1; done
E="--endpoint http://127.0.0.1:18080 --mode harness --jobs 1"
T1=$(for t in $(cat $O/t1-tasks.txt); do printf -- "--filter=%s " $t; done)
T23=$(for t in $(cat $O/t23-tasks.txt); do printf -- "--filter=%s " $t; done)
$B --tasks bench/tasks --filter=-ex- $E --trials 3 --out $O/ex-smol > $O/ex-smol.log 2>&1
echo ex > $O/run.stage
$B --tasks bench/tasks $T1 $E --trials 3 --out $O/t1-smol > $O/t1-smol.log 2>&1
echo t1 > $O/run.stage
kill $SP
G=/root/.cache/smallcode/models/gemma-3-270m-q4_k_m.gguf
setsid nice -n -15 $SMALLCODE_LLAMA_SERVER -m $G --alias gemma-3-270m --host 127.0.0.1 --port 18081 -c 8192 -t 2 --no-webui > $O/gemma-server.log 2>&1 < /dev/null &
GP=$!
for i in $(seq 60); do curl -sf http://127.0.0.1:18081/health >/dev/null && break; sleep 1; done
EG="--endpoint http://127.0.0.1:18081 --mode harness --jobs 1"
$B --tasks bench/tasks $T23 $EG --trials 1 --out $O/t23-gemma > $O/t23-gemma.log 2>&1
kill $GP
echo done > $O/run.stage
