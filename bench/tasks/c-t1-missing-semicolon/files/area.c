#include "area.h"

double rect_area(double w, double h) {
    double a = w * h
    return a;
}
