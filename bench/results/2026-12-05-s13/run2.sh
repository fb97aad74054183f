#!/usr/bin/env bash
# Session 13, after run.sh: Gemma tier 1 x1 (63ceede), then SmolLM2 `--edit-format tools` on the
# Python by-example tasks x1 with the take-over binary (bin2) beside the same tasks in `whole`.
set -u
cd /work/main
O=/work/measure/s13
while [ "$(cat $O/run.stage 2>/dev/null)" != "done" ]; do sleep 20; done
eval "$(scripts/deps.sh paths)"
G=/root/.cache/smallcode/models/gemma-3-270m-q4_k_m.gguf
setsid nice -n -15 $SMALLCODE_LLAMA_SERVER -m $G --alias gemma-3-270m --host 127.0.0.1 --port 18081 -c 8192 -t 2 --no-webui > $O/gemma-server2.log 2>&1 < /dev/null &
GP=$!
for i in $(seq 60); do curl -sf http://127.0.0.1:18081/health >/dev/null && break; sleep 1; done
T1=$(for t in $(cat $O/t1-tasks.txt); do printf -- "--filter=%s " $t; done)
$O/bin/smallcode-bench --tasks bench/tasks $T1 --endpoint http://127.0.0.1:18081 --mode harness --jobs 1 --trials 1 --out $O/t1-gemma > $O/t1-gemma.log 2>&1
kill $GP
echo gemma-t1 > $O/run2.stage
setsid nice -n -15 $SMALLCODE_LLAMA_SERVER -m $SMALLCODE_GGUF --alias SmolLM2-135M-Instruct --host 127.0.0.1 --port 18080 -c 8192 -t 2 --no-webui > $O/smol-server2.log 2>&1 < /dev/null &
SP=$!
for i in $(seq 60); do curl -sf http://127.0.0.1:18080/health >/dev/null && break; sleep 1; done
$O/bin2/smallcode-bench --tasks bench/tasks --filter=py-t1-ex- --filter=py-t2-ex- --endpoint http://127.0.0.1:18080 --mode harness --edit-format tools --jobs 1 --trials 1 --out $O/ex-py-tools > $O/ex-py-tools.log 2>&1
kill $SP
echo done > $O/run2.stage
