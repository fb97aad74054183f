#ifndef STATS_H
#define STATS_H
#include "vec.h"
long vec_total(const struct vec *v);
double vec_mean(const struct vec *v);
#endif
