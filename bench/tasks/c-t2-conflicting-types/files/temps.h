#ifndef TEMPS_H
#define TEMPS_H
int average(const double *xs, int n);
#endif
