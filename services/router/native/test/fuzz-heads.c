/*
 * Memory-safety check of the native plane's readers under AddressSanitizer and UBSan: request
 * heads, response heads, chunked bodies and Host lookups, mutated at random from a few valid
 * ones (seeded, so a failure repeats). Built and run by test/native-asan.unit.spec.ts:
 *   cc -std=gnu11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -I../src -I/usr/include/node \
 *      fuzz-heads.c ../src/http.c ../src/bytes.c ../src/chunked.c ../src/table.c -o fuzz-heads
 *   ./fuzz-heads <iterations> <seed>
 * It prints how many inputs each reader accepted; any out-of-bounds access aborts it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plane.h"

static const char *REQUESTS[] = {
    "GET / HTTP/1.1\r\nHost: app.localhost\r\n\r\n",
    "POST /x HTTP/1.1\r\nHost: app.localhost:80\r\nContent-Length: 5\r\nX-Forwarded-For: 1.2.3.4, 5.6.7.8\r\n\r\n",
    "PUT /y HTTP/1.1\r\nHost: www.example.com\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive, close\r\n\r\n",
    "GET /v HTTP/1.1\r\nHost: APP.localhost.\r\nVia: 1.0 a, , 1.1 b\r\nX-Request-Id: abc\r\nProxy-X: 1\r\nTE: t\r\n\r\n",
};
static const char *RESPONSES[] = {
    "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: X-A, close\r\nX-A: 1\r\n\r\n",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nVia: 1.1 a,, b\r\nKeep-Alive: 5\r\n\r\n",
    "HTTP/1.0 304 Not Modified\r\nContent-Length: 7, 7\r\nProxy-Foo: f\r\n\r\n",
    "HTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n",
};
static const char *CHUNKS[] = {"5\r\nhello\r\n0\r\n\r\n", "3;x=y\r\nabc\r\n0\r\nT: t\r\n\r\nGET", "ffffffffffffffff\r\n"};
static const char *PIECES[] = {" ", "\t", "\r", "\n", "\r\n", ":", ",", "\0", "\xff", "\"", "\\", "chunked", "close", "0",
                               "Host: b.localhost\r\n", "Content-Length: 3\r\n", "Transfer-Encoding: chunked\r\n",
                               "Connection: x, upgrade\r\n", "Via: ,,\r\n", "X-Forwarded-For: ,\r\n", "[::1]:80", "*."};

static unsigned long long state;
static unsigned rnd(unsigned n) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return (unsigned)(state % n);
}

/* base mutated into a fresh heap buffer of exactly *len bytes (so ASan sees any read past it). */
static char *mutate(const char *base, size_t *len) {
  size_t n = strlen(base), cap = n + 4096;
  char *s = malloc(cap);
  memcpy(s, base, n);
  int edits = 1 + (int)rnd(4);
  for (int e = 0; e < edits; e++) {
    size_t at = rnd((unsigned)n + 1);
    switch (rnd(4)) {
      case 0: {
        const char *p = PIECES[rnd(sizeof PIECES / sizeof *PIECES)];
        size_t k = p[0] == 0 ? 1 : strlen(p);
        if (n + k >= cap) break;
        memmove(s + at + k, s + at, n - at);
        memcpy(s + at, p, k);
        n += k;
        break;
      }
      case 1:
        if (at < n) memmove(s + at, s + at + 1, n - at - 1), n--;
        break;
      case 2:
        if (at < n) s[at] = (char)rnd(256);
        break;
      default: {
        size_t k = rnd(64);
        if (n + k >= cap) break;
        memmove(s + at + k, s + at, n - at);
        memset(s + at, 'a' + (int)rnd(26), k);
        n += k;
      }
    }
  }
  char *exact = malloc(n ? n : 1);
  memcpy(exact, s, n);
  free(s);
  *len = n;
  return exact;
}

static long end_of_head(const char *p, size_t n) {
  for (size_t i = 0; i + 3 < n; i++)
    if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' && p[i + 3] == '\n') return (long)i;
  return -1;
}

int main(int argc, char **argv) {
  long iterations = argc > 1 ? atol(argv[1]) : 100000;
  state = argc > 2 ? strtoull(argv[2], NULL, 10) | 1 : 88172645463325252ull;
  static req_head_t h;
  long requests = 0, responses = 0, chunk_ends = 0, routed = 0;
  table_t *t = table_new();
  t->suffix = strdup(".localhost");
  t->napps = 1;
  t->apps = calloc(1, sizeof *t->apps);
  t->apps[0].name = strdup("app");
  map_set(&t->by_name, "app", 3, 0);
  map_set(&t->hostnames, "www.example.com", 15, 0);
  map_set(&t->hostnames, "*.example.com", 13, -2);
  for (long i = 0; i < iterations; i++) {
    size_t n;
    char *s = mutate(REQUESTS[rnd(4)], &n);
    long end = end_of_head(s, n);
    if (end >= 0 && parse_request(s, (int)end, &h)) {
      requests++;
      bytes_t fwd = {0}, out = {0};
      list_append(&fwd, &h, 3, "127.0.0.1", 9);
      dyno_request_head(&out, &h, fwd.p, fwd.len, 8080, 1, "id", 2);
      if (table_route(t, h.host) != NULL) routed++;
      b_free(&fwd);
      b_free(&out);
    }
    span_t host = {s, (int)(n < 300 ? n : 300)};
    if (table_route(t, host) != NULL) routed++;
    free(s);
    s = mutate(RESPONSES[rnd(4)], &n);
    end = end_of_head(s, n);
    if (end >= 0) {
      resp_head_t r;
      bytes_t out = {0};
      if (response_head(s, (int)end, (int)rnd(2), (int)rnd(2), &r, &out)) responses++;
      b_free(&out);
    }
    free(s);
    s = mutate(CHUNKS[rnd(3)], &n);
    chunked_t c;
    chunked_reset(&c);
    size_t cut = rnd((unsigned)n + 1);
    long r1 = chunked_feed(&c, (const unsigned char *)s, 0, (long)cut);
    long r2 = r1 == -1 ? chunked_feed(&c, (const unsigned char *)s, (long)cut, (long)n) : r1;
    if (r2 >= 0) chunk_ends++;
    free(s);
  }
  table_unref(t);
  printf("%ld iterations: %ld requests, %ld responses, %ld chunked ends, %ld routed\n", iterations, requests, responses,
         chunk_ends, routed);
  return 0;
}
