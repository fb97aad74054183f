#!/usr/bin/env bash
# Keeps the model benchmark (llama-server, smallcode bench processes and all their descendants) at nice -15.
while true; do
  roots=$(pgrep -f 'llama/bin/llama-server|llama-server -m|measure/s13/bin|measure/s13/bin2')
  todo="$roots"
  while [ -n "$todo" ]; do
    next=""
    for p in $todo; do
      for t in /proc/$p/task/*; do tid=${t##*/}; ni=$(awk '{print $19}' $t/stat 2>/dev/null); [ "$ni" != "-15" ] && renice -n -15 -p $tid >/dev/null 2>&1; done
      next="$next $(pgrep -P $p)"
    done
    todo=$(echo $next)
  done
  sleep 3
done
