#include "pct.h"

/* The percentage that part is of whole: 1 of 4 is 25.0, 3 of 2 is 150.0.
   whole is never 0. */
double percent(int part, int whole) {
    return 100.0 * part / whole;
}
