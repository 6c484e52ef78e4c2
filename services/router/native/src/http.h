/*
 * The native data plane's pure part: strict HTTP/1.1 head reading and rewriting, chunked framing,
 * the heroku[router] log line. No sockets here (plane.c has them).
 *
 * The native plane serves only the usual request; whatever this reader does not take whole is
 * handed, unread, to the TypeScript plane (adapters/raw), which serves or refuses it. So this
 * reader may be stricter than domain/http-head.ts, never looser.
 */
#ifndef PAAS_HTTP_H
#define PAAS_HTTP_H

#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer. */
typedef struct {
  char *p;
  size_t len, cap;
} bytes_t;

void b_reserve(bytes_t *b, size_t extra);
void b_put(bytes_t *b, const void *d, size_t n);
void b_puts(bytes_t *b, const char *s);
void b_putu(bytes_t *b, uint64_t v);
void b_consume(bytes_t *b, size_t n);
void b_free(bytes_t *b);

typedef struct {
  const char *p;
  int n;
} span_t;

/* Body framing kinds (as exchange.ts). */
enum { NO_BODY = 0, LENGTH = 1, CHUNKED = 2, UNTIL_CLOSE = 3 };

/* The most headers a head may have to be served natively (more: the TypeScript plane's business). */
#define MAX_HEADERS 128
/* Heroku's limits (domain/limits.ts): beyond them the TypeScript plane answers 414/431. */
#define LIMIT_REQUEST_LINE 8192
#define LIMIT_HEADER_NAME 1000
#define LIMIT_HEADER_VALUE 8192

/* A request head the native plane serves. */
typedef struct {
  span_t method, target;
  int n;
  span_t name[MAX_HEADERS], value[MAX_HEADERS];
  /* What each header is to the rewrite: 0 kept, 1 dropped, 2 Via, 3 X-Forwarded-For. */
  uint8_t role[MAX_HEADERS];
  span_t host;
  int kind;
  uint64_t length;
  int close;
  span_t request_id; /* the client's, when exactly one; else p is NULL */
  int request_id_count;
} req_head_t;

/* Parses text[0, n) (the head without its final CRLF CRLF): 1 when the native plane serves it, 0 when it is handed over. */
int parse_request(const char *text, int n, req_head_t *h);

/* Whether a client's X-Request-Id is kept (Heroku: at most 200 of [A-Za-z0-9+=/_-]). */
int request_id_ok(span_t v);

/* A comma-separated list normalised (tokens trimmed, empty ones dropped, joined with ", ") with `last` appended. */
void list_append(bytes_t *out, const req_head_t *h, int role, const char *last, size_t last_len);

/* The request head as the dyno gets it (head-rewrite.ts dynoRequestHead). */
void dyno_request_head(bytes_t *out, const req_head_t *h, const char *fwd, size_t fwd_len, int router_port,
                       uint64_t received_at, const char *rid, int rid_len);

/* A response head as read. */
typedef struct {
  int status, minor;
  span_t reason;
  int kind;
  uint64_t length;
  int dyno_keeps_alive;
  int interim;
  /* The client connection closes after this response (asked for, or the body ends with the dyno's close). */
  int close_client;
} resp_head_t;

/*
 * Reads the response head text[0, n) and writes the head the client gets into out (Via appended,
 * hop-by-hop removed, framing kept; Connection: close when the client connection is to close:
 * `close_wanted`, or a body that ends with the dyno's close). Returns 1, or 0 when it is not HTTP
 * to relay (H13). An interim (1xx) head is passed on as it is rewritten, never with Connection: close.
 */
int response_head(const char *text, int n, int head_request, int close_wanted, resp_head_t *r, bytes_t *out);

/* Follows a chunked body (domain/chunked.ts). */
typedef struct {
  int state;
  uint64_t size;
  int digits, line;
  uint64_t data;
  int error;
} chunked_t;

void chunked_reset(chunked_t *c);
/* buf[start, end): index past the message's end, -1 when more is to come, -2 on malformed framing. */
long chunked_feed(chunked_t *c, const unsigned char *buf, long start, long end);

#endif
