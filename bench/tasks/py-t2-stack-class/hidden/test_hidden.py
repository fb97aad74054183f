def eq(got, want, what=""):
    if got != want:
        raise AssertionError(f"{what}: expected {want!r}, got {got!r}")

from stack import Stack
s = Stack()
eq(s.is_empty(), True, "new stack is_empty()")
eq(len(s), 0, "len(new stack)")
s.push(1); s.push(2); s.push(3)
eq(len(s), 3, "len after 3 pushes")
eq(s.peek(), 3, "peek()")
eq(s.pop(), 3, "pop()")
eq(s.pop(), 2, "pop()")
eq(s.is_empty(), False, "is_empty() with one item")
eq(s.pop(), 1, "pop()")
for op in ("pop", "peek"):
    try:
        getattr(s, op)()
    except IndexError as e:
        eq(str(e), "empty stack", f"{op}() message")
    else:
        raise AssertionError(f"{op}() on empty stack should raise IndexError")
t = Stack()
t.push(None)
eq(t.is_empty(), False, "stack holding None is not empty")
eq(t.pop(), None, "pop() of None")
print("ok")
