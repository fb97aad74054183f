def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

import subprocess, sys
import orders, invoice, report
eq(hasattr(orders, "calc_total"), False, "orders.calc_total should no longer exist")
eq(hasattr(invoice, "calc_total"), False, "invoice.py should not import calc_total")
eq(orders.order_total([(1, 10.0)]), 12.0, "orders.order_total([(1, 10.0)])")
eq(invoice.invoice_text("x", [(1, 10.0)]), "Invoice for x: 12.00", "invoice_text")
eq(report.grand_total({"a": [(1, 10.0)], "b": [(1, 5.0)]}), 18.0, "grand_total")
out = subprocess.run([sys.executable, "report.py"], capture_output=True, text=True)
eq(out.stdout, "Invoice for acme: 30.00\nInvoice for globex: 5.40\nTotal: 35.40\n", "python3 report.py")
import pathlib
for f in pathlib.Path(".").glob("*.py"):
    if "calc_total" in f.read_text():
        raise AssertionError(f"{f} still mentions calc_total")
print("ok")
