#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static int failures = 0;
#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); failures++; } } while (0)
#include "list.h"
int main(void) {
    CHECK(list_sum(NULL) == 0);
    CHECK(list_len(NULL) == 0);
    struct node *l = list_push(NULL, 5);
    CHECK(list_sum(l) == 5);
    CHECK(list_len(l) == 1);
    l = list_push(l, -2);
    l = list_push(l, 10);
    CHECK(list_sum(l) == 13);
    CHECK(list_len(l) == 3);
    list_free(l);
    return failures ? 1 : 0;
}
