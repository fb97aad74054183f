#include <stdio.h>
#include "list.h"

int main(void) {
    struct node *full = NULL;
    for (int i = 1; i <= 4; i++) full = list_push(full, i);
    printf("full: sum %d, len %d\n", list_sum(full), list_len(full));
    struct node *empty = NULL;
    printf("empty: sum %d, len %d\n", list_sum(empty), list_len(empty));
    list_free(full);
    return 0;
}
