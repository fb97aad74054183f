#!/bin/bash
# run the t1 task N times, record pass/fail of hidden check and raw replies
T=/work/main/bench/tasks/py-t1-name-error
pass=0; fail=0
for i in $(seq 1 $1); do
  W=/tmp/rep9/w$i; rm -rf $W; mkdir -p $W; cp $T/files/* $W/
  SMALLCODE_LOG=$W.log SMALLCODE_LOG_LEVEL=trace ${BIN:-/work/main/target/release/smallcode} run --trust --quiet --dir $W --endpoint http://127.0.0.1:18080 --prompt-file $T/prompt.md > $W.out 2> $W.err
  if (cd $W && TASK_DIR=$T bash $T/check >/dev/null 2>&1); then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $i"; fi
done
echo "pass=$pass fail=$fail"
