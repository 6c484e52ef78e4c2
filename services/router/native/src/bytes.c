/* Growable byte buffers (http.h). */
#include <stdlib.h>
#include <string.h>

#include "http.h"

void b_reserve(bytes_t *b, size_t extra) {
  if (b->len + extra <= b->cap) return;
  size_t cap = b->cap < 256 ? 256 : b->cap;
  while (cap < b->len + extra) cap *= 2;
  char *p = realloc(b->p, cap);
  if (p == NULL) abort();
  b->p = p;
  b->cap = cap;
}

void b_put(bytes_t *b, const void *d, size_t n) {
  if (n == 0) return;
  b_reserve(b, n);
  memcpy(b->p + b->len, d, n);
  b->len += n;
}

void b_puts(bytes_t *b, const char *s) { b_put(b, s, strlen(s)); }

void b_putu(bytes_t *b, uint64_t v) {
  char tmp[24];
  int i = 24;
  do {
    tmp[--i] = (char)('0' + v % 10);
    v /= 10;
  } while (v != 0);
  b_put(b, tmp + i, (size_t)(24 - i));
}

void b_consume(bytes_t *b, size_t n) {
  if (n >= b->len) {
    b->len = 0;
    return;
  }
  memmove(b->p, b->p + n, b->len - n);
  b->len -= n;
}

void b_free(bytes_t *b) {
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}

