#ifndef SUM_H
#define SUM_H
int sum(const int *xs, int n);
#endif
