#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static int failures = 0;
#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)
#include "sb.h"
int main(void) {
    struct sb s;
    sb_init(&s);
    sb_append_int(&s, 0);
    sb_append_int(&s, -42);
    sb_append_int(&s, 1234567890L);
    CHECK(strcmp(s.buf, "0-421234567890") == 0);
    sb_free(&s);
    sb_init(&s);
    sb_append_sep(&s, ", ", "a");
    sb_append_sep(&s, ", ", "b");
    sb_append_sep(&s, ", ", "c");
    CHECK(strcmp(s.buf, "a, b, c") == 0);
    CHECK(s.len == 7);
    for (int i = 0; i < 100; i++) sb_append_int(&s, i);
    CHECK(s.len == 7 + 10 + 180);
    sb_free(&s);
    return failures ? 1 : 0;
}
