#include "temps.h"

double average(const double *xs, int n) {
    double total = 0;
    for (int i = 0; i < n; i++) total += xs[i];
    return n ? total / n : 0.0;
}
