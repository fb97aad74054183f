#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
static int failures = 0;
#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)
#include "strutil.h"
int main(void) {
    CHECK(count_char("banana", 'a') == 3);
    CHECK(count_char("banana", 'n') == 2);
    CHECK(count_char("", 'x') == 0);
    CHECK(count_char("aaa", 'a') == 3);
    CHECK(count_char("abc", 'z') == 0);
    CHECK(count_char("Mississippi", 's') == 4);
    CHECK(count_char("Mississippi", 'S') == 0);
    return failures ? 1 : 0;
}
