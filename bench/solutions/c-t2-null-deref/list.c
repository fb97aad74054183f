#include <stdlib.h>
#include "list.h"

struct node *list_push(struct node *head, int value) {
    struct node *n = malloc(sizeof *n);
    n->value = value;
    n->next = head;
    return n;
}

int list_sum(const struct node *head) {
    int total = 0;
    for (const struct node *n = head; n; n = n->next) total += n->value;
    return total;
}

int list_len(const struct node *head) {
    int len = 0;
    for (; head; head = head->next) len++;
    return len;
}

void list_free(struct node *head) {
    while (head) {
        struct node *next = head->next;
        free(head);
        head = next;
    }
}
