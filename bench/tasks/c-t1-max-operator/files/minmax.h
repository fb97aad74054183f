#ifndef MINMAX_H
#define MINMAX_H
int max_int(int a, int b);
int min_int(int a, int b);
#endif
