#ifndef PCT_H
#define PCT_H
double percent(int part, int whole);
#endif
