#include <stdio.h>
#include "vec.h"
#include "stats.h"

int main(void) {
    struct vec v;
    vec_init(&v);
    for (int i = 1; i <= 10; i++) vec_push(&v, i * i);
    printf("n=%zu total=%ld mean=%.1f\n", v.len, vec_total(&v), vec_mean(&v));
    vec_free(&v);
    return 0;
}
