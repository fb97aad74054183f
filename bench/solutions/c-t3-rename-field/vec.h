#ifndef VEC_H
#define VEC_H
#include <stddef.h>
struct vec {
    int *data;
    size_t count;
    size_t capacity;
};
void vec_init(struct vec *v);
void vec_push(struct vec *v, int x);
int vec_get(const struct vec *v, size_t i);
void vec_free(struct vec *v);
#endif
