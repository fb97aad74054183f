#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static int failures = 0;
#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)
#include "vec.h"
#include "stats.h"
int main(void) {
    struct vec v;
    vec_init(&v);
    CHECK(v.count == 0 && v.capacity == 0);
    for (int i = 0; i < 9; i++) vec_push(&v, i);
    CHECK(v.count == 9);
    CHECK(v.capacity >= 9);
    CHECK(vec_get(&v, 8) == 8);
    CHECK(vec_total(&v) == 36);
    CHECK(vec_mean(&v) == 4.0);
    vec_free(&v);
    CHECK(v.count == 0);
    return failures ? 1 : 0;
}
