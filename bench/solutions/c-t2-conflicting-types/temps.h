#ifndef TEMPS_H
#define TEMPS_H
double average(const double *xs, int n);
#endif
