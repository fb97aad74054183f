#ifndef AREA_H
#define AREA_H
double rect_area(double w, double h);
#endif
