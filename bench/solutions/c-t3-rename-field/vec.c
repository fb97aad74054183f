#include <stdlib.h>
#include "vec.h"

void vec_init(struct vec *v) {
    v->data = NULL;
    v->count = 0;
    v->capacity = 0;
}

void vec_push(struct vec *v, int x) {
    if (v->count == v->capacity) {
        v->capacity = v->capacity ? v->capacity * 2 : 4;
        v->data = realloc(v->data, v->capacity * sizeof *v->data);
    }
    v->data[v->count++] = x;
}

int vec_get(const struct vec *v, size_t i) {
    return v->data[i];
}

void vec_free(struct vec *v) {
    free(v->data);
    vec_init(v);
}
