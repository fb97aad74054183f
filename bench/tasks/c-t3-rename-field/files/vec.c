#include <stdlib.h>
#include "vec.h"

void vec_init(struct vec *v) {
    v->data = NULL;
    v->len = 0;
    v->cap = 0;
}

void vec_push(struct vec *v, int x) {
    if (v->len == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 4;
        v->data = realloc(v->data, v->cap * sizeof *v->data);
    }
    v->data[v->len++] = x;
}

int vec_get(const struct vec *v, size_t i) {
    return v->data[i];
}

void vec_free(struct vec *v) {
    free(v->data);
    vec_init(v);
}
