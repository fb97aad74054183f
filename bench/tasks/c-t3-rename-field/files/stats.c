#include "stats.h"

long vec_total(const struct vec *v) {
    long t = 0;
    for (size_t i = 0; i < v->len; i++) t += v->data[i];
    return t;
}

double vec_mean(const struct vec *v) {
    return v->len ? (double)vec_total(v) / v->len : 0.0;
}
