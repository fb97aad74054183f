#!/usr/bin/env bash
# Session 13, the test-call probe (d0f8868, bin3) against 63ceede (bin): binary_search x3 each,
# then Python tier 1 and Python by-example x3 with bin3 (compare with run W's rows).
set -u
cd /work/main
O=/work/measure/s13
eval "$(scripts/deps.sh paths)"
setsid nice -n -15 $SMALLCODE_LLAMA_SERVER -m $SMALLCODE_GGUF --alias SmolLM2-135M-Instruct --host 127.0.0.1 --port 18080 -c 8192 -t 2 --no-webui > $O/smol-server3.log 2>&1 < /dev/null &
SP=$!
for i in $(seq 60); do curl -sf http://127.0.0.1:18080/health >/dev/null && break; sleep 1; done
E="--endpoint http://127.0.0.1:18080 --mode harness --jobs 1"
$O/bin3/smallcode-bench --tasks bench/tasks --filter=py-t2-binary-search $E --trials 3 --out $O/bs-new > $O/bs-new.log 2>&1
$O/bin/smallcode-bench --tasks bench/tasks --filter=py-t2-binary-search $E --trials 3 --out $O/bs-old > $O/bs-old.log 2>&1
PT1=$(for t in $(grep '^py-' $O/t1-tasks.txt); do printf -- "--filter=%s " $t; done)
$O/bin3/smallcode-bench --tasks bench/tasks $PT1 $E --trials 3 --out $O/pyt1-new > $O/pyt1-new.log 2>&1
$O/bin3/smallcode-bench --tasks bench/tasks --filter=py-t1-ex- --filter=py-t2-ex- $E --trials 3 --out $O/pyex-new > $O/pyex-new.log 2>&1
kill $SP
echo done > $O/run3.stage
