# Hidden cases, sourced by ../check: expect WANT CMD... (the command must print WANT).
expect 42 python3 total.py orders.csv
expect 35 python3 total.py "$TASK_DIR/hidden/orders2.csv"
expect 0 python3 total.py "$TASK_DIR/hidden/empty.csv"
expect 7 python3 total.py "$TASK_DIR/hidden/one.csv"
