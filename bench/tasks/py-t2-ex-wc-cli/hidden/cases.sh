# Hidden cases, sourced by ../check: expect WANT CMD... (the command must print WANT).
expect "3 9" python3 wc.py notes.txt
expect "0 0" python3 wc.py "$TASK_DIR/hidden/empty.txt"
expect "5 5" python3 wc.py "$TASK_DIR/hidden/gaps.txt"
expect "1 12" python3 wc.py "$TASK_DIR/hidden/long.txt"
