/*
 * The native data plane's connections: accept, read the usual request, send it over a pooled
 * keep-alive dyno connection, relay the response by its framing, log one line. The same state
 * machine as adapters/raw (client-connection.ts, upstream.ts, response.ts), on one epoll set that
 * Node's own event loop polls: no threads, no locks. Whatever the native plane does not serve is
 * handed over (the socket and the bytes read from it) to the TypeScript plane before it is acted on.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "plane.h"

#define MAX_HEAD (64 * 1024)
#define READ_SIZE (64 * 1024)
#define POOL_IDLE_MS 30000
#define MAX_DYNOS 64

enum { K_LISTEN = 1, K_CLIENT, K_UP, K_DEAD };
enum { P_NONE = 0, P_CONNECTING, P_SENDING, P_WAITING, P_RESPONDING };
/* Router errors this plane answers itself (index into the page texts), and the ones it only logs. */
enum { H12 = 0, H13, H19, H21, H15, H18, H27 };
static const char *CODES[] = {"H12", "H13", "H19", "H21", "H15", "H18", "H27"};
static const char *DESCS[] = {"Request timeout", "Connection closed without response", "Backend connection timeout",
                              "Backend connection refused", "Idle connection", "Server Request Interrupted",
                              "Client Request Interrupted"};

typedef struct conn conn_t;

typedef struct up {
  int kind, fd;
  uint32_t events;
  int pool;
  int connected, reused, idle;
  conn_t *owner;
  bytes_t out;
  uint64_t idle_since;
  struct up *prev, *next; /* the pool's idle list */
  struct up *dead_next;
} up_t;

typedef struct {
  int phase;
  table_t *t;
  app_t *a;
  int dyno, last_code, stale_retried, is_head, logged;
  uint64_t tried;
  char rid[208];
  int rid_len;
  bytes_t logmid; /* method=... path=\"...\" host=... request_id=... fwd=\"...\"  (with a trailing space) */
  uint64_t received, connect_start, sent_at, last_activity;
  int64_t connect_ms;
  int status;
  uint64_t bytes;
  int req_kind, req_done, client_close;
  uint64_t req_remaining;
  chunked_t req_chunks;
  int resp_kind, reusable, close_client, head_sent;
  uint64_t resp_remaining;
  chunked_t resp_chunks;
  bytes_t resp_head; /* a response head arriving in pieces */
  bytes_t head;      /* the request head as the dyno gets it (sent again on a retry) */
  bytes_t pending;   /* body bytes read before the dyno connection stood */
  up_t *up;
} exch_t;

struct conn {
  int kind, fd;
  uint32_t events;
  bytes_t in, out;
  int busy, gone, draining;
  size_t scanned;
  uint64_t deadline, head_since;
  char client[64];
  int client_len;
  exch_t x;
  conn_t *prev, *next;
  conn_t *dead_next;
};

struct plane {
  int epfd, lfd, port;
  int listen_kind;
  uint32_t listen_events;
  uv_poll_t poll;
  uv_timer_t timer;
  int running, draining;
  plane_opts_t o;
  handover_fn handover;
  table_t *table;
  conn_t *conns;
  int nconns;
  plane_stats_t stats;
  conn_t *dead_conns;
  up_t *dead_ups;
  up_t **idle; /* per pool: most recently used first */
  strmap_t pools;
  int npools;
  uint64_t now, accept_again_at, last_pool_sweep;
  uint64_t rng;
  unsigned char rand_pool[4096];
  size_t rand_used;
  logs_t logs;
  void *ctx;
  int handles_open;
};

/* The plane being served: set by every entry point (loop callbacks and the API), restored on return. */
static plane_t *P_cur;
#define P (*P_cur)
#define ENTER(pl) plane_t *saved_plane = P_cur; P_cur = (pl)
#define LEAVE() P_cur = saved_plane

static unsigned char rbuf[READ_SIZE];
static bytes_t scratch;
static req_head_t req;

uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void random_bytes(void *out, size_t n) {
  if (P.rand_used + n > sizeof P.rand_pool) {
    size_t got = 0;
    while (got < sizeof P.rand_pool) {
      ssize_t r = getrandom(P.rand_pool + got, sizeof P.rand_pool - got, 0);
      if (r > 0) got += (size_t)r;
    }
    P.rand_used = 0;
  }
  memcpy(out, P.rand_pool + P.rand_used, n);
  P.rand_used += n;
}

/* A version 4 uuid, as crypto.randomUUID writes it. */
static int new_request_id(char *out) {
  unsigned char b[16];
  random_bytes(b, sizeof b);
  b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
  b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
  static const char hexd[] = "0123456789abcdef";
  int j = 0;
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out[j++] = '-';
    out[j++] = hexd[b[i] >> 4];
    out[j++] = hexd[b[i] & 15];
  }
  return j;
}

static uint32_t random_below(uint32_t n) {
  uint64_t x = P.rng;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  P.rng = x;
  return (uint32_t)(((x * 2685821657736338717ull) >> 32) % n);
}

/* ---- epoll interest ---------------------------------------------------------------------- */

static void interest(int fd, void *obj, uint32_t *cur, uint32_t ev) {
  if (*cur == ev) return;
  struct epoll_event e = {.events = ev, .data.ptr = obj};
  epoll_ctl(P.epfd, EPOLL_CTL_MOD, fd, &e);
  *cur = ev;
}

static void update_up(up_t *u);

/* A client is read unless: its request body waits for the dyno connection or its backpressure, or too much is pipelined. */
static void update_client(conn_t *c) {
  if (c->kind != K_CLIENT) return;
  exch_t *x = &c->x;
  int read = 1;
  if (c->busy && !x->req_done && (x->phase == P_CONNECTING || (x->up != NULL && x->up->out.len > 0))) read = 0;
  if (c->in.len > MAX_HEAD) read = 0;
  interest(c->fd, c, &c->events, (read ? EPOLLIN : 0) | (c->out.len > 0 ? EPOLLOUT : 0));
}

/* A dyno connection is read when idle in the pool (to see it close) or when its client keeps up. */
static void update_up(up_t *u) {
  if (u == NULL || u->kind != K_UP) return;
  uint32_t ev = 0;
  if (!u->connected) ev = EPOLLOUT;
  else {
    if (u->owner == NULL || u->owner->out.len == 0) ev |= EPOLLIN;
    if (u->out.len > 0) ev |= EPOLLOUT;
  }
  interest(u->fd, u, &u->events, ev);
}

static void add_fd(int fd, void *obj, uint32_t ev) {
  struct epoll_event e = {.events = ev, .data.ptr = obj};
  epoll_ctl(P.epfd, EPOLL_CTL_ADD, fd, &e);
}

/* ---- dyno connections -------------------------------------------------------------------- */

logs_t *plane_logs(plane_t *pl) { return &pl->logs; }

int pool_index(plane_t *pl, const struct sockaddr_storage *addr, socklen_t len) {
  ENTER(pl);
  if (P.pools.keys == NULL) map_init(&P.pools);
  /* the map's keys are C strings: the address goes in as hex */
  char key[2 * sizeof(struct sockaddr_storage) + 1];
  for (socklen_t k = 0; k < len; k++) sprintf(key + 2 * k, "%02x", ((const unsigned char *)addr)[k]);
  int i = map_get(&P.pools, key, (int)(2 * len));
  if (i < 0) {
    P.idle = realloc(P.idle, sizeof *P.idle * (size_t)(P.npools + 1));
    P.idle[P.npools] = NULL;
    map_set(&P.pools, key, (int)(2 * len), P.npools);
    i = P.npools++;
  }
  LEAVE();
  return i;
}

static void idle_unlink(up_t *u) {
  if (!u->idle) return;
  if (u->prev) u->prev->next = u->next;
  else P.idle[u->pool] = u->next;
  if (u->next) u->next->prev = u->prev;
  u->prev = u->next = NULL;
  u->idle = 0;
}

static void up_destroy(up_t *u) {
  if (u == NULL || u->kind != K_UP) return;
  idle_unlink(u);
  epoll_ctl(P.epfd, EPOLL_CTL_DEL, u->fd, NULL);
  close(u->fd);
  u->kind = K_DEAD;
  u->owner = NULL;
  u->dead_next = P.dead_ups;
  P.dead_ups = u;
}

/* An idle pooled connection (unless fresh), else a new one; NULL when the connect failed at once. */
static up_t *lease(const dyno_t *d, conn_t *owner, int fresh) {
  if (!fresh) {
    up_t *u = P.idle[d->pool];
    if (u != NULL) {
      idle_unlink(u);
      u->owner = owner;
      u->reused = 1;
      return u;
    }
  }
  int fd = socket(d->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return NULL;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  int r = connect(fd, (const struct sockaddr *)&d->addr, d->addr_len);
  if (r < 0 && errno != EINPROGRESS) {
    close(fd);
    return NULL;
  }
  up_t *u = calloc(1, sizeof *u);
  u->kind = K_UP;
  u->fd = fd;
  u->pool = d->pool;
  u->owner = owner;
  u->connected = r == 0;
  u->events = u->connected ? EPOLLIN : EPOLLOUT;
  add_fd(fd, u, u->events);
  return u;
}

static void pool_release(up_t *u) {
  u->owner = NULL;
  u->idle = 1;
  u->idle_since = P.now;
  u->prev = NULL;
  u->next = P.idle[u->pool];
  if (u->next) u->next->prev = u;
  P.idle[u->pool] = u;
  update_up(u);
}

/* Writes to a dyno connection: what the kernel does not take waits in u->out. */
static void up_write(up_t *u, const char *d, size_t n) {
  if (n == 0) return;
  if (u->out.len == 0) {
    ssize_t w = send(u->fd, d, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0) w = 0; /* an error shows as EPOLLERR/HUP on the next round */
    d += w;
    n -= (size_t)w;
  }
  if (n > 0) {
    b_put(&u->out, d, n);
    update_up(u);
  }
}

/* Writes a then b to a dyno connection with one system call. */
static void up_write2(up_t *u, const char *a, size_t an, const char *b, size_t bn) {
  if (bn == 0 || u->out.len > 0) {
    up_write(u, a, an);
    up_write(u, b, bn);
    return;
  }
  struct iovec iov[2] = {{(void *)a, an}, {(void *)b, bn}};
  struct msghdr msg = {.msg_iov = iov, .msg_iovlen = 2};
  ssize_t w = sendmsg(u->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
  if (w < 0) w = 0;
  size_t aw = (size_t)w < an ? (size_t)w : an;
  size_t bw = (size_t)w - aw;
  if (aw < an) b_put(&u->out, a + aw, an - aw);
  if (bw < bn) b_put(&u->out, b + bw, bn - bw);
  if (u->out.len > 0) update_up(u);
}

/* ---- client writes ------------------------------------------------------------------------ */

static void client_write(conn_t *c, const char *d, size_t n) {
  if (c->kind != K_CLIENT || n == 0) return;
  if (c->out.len == 0) {
    ssize_t w = send(c->fd, d, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w < 0) w = 0;
    d += w;
    n -= (size_t)w;
  }
  if (n > 0) {
    b_put(&c->out, d, n);
    update_client(c);
    update_up(c->x.up);
  }
}

/* ---- the log line ------------------------------------------------------------------------ */

static void put_ms(bytes_t *b, int64_t v) {
  if (v < 0) v = 0;
  b_putu(b, (uint64_t)v);
  b_put(b, "ms", 2);
}

/* The request's heroku[router] line into its app's log batch (log-line.ts, router-log.ts logLinePayload). */
static void record(conn_t *c, int status, int code) {
  exch_t *x = &c->x;
  if (x->logged || x->a == NULL) return;
  x->logged = 1;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  char stamp[96];
  snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
           tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000);
  bytes_t *b = &scratch;
  b->len = 0;
  b_puts(b, "{\"ts\":\"");
  b_puts(b, stamp);
  b_puts(b, "\",\"source\":\"heroku\",\"dyno\":\"router\",\"line\":\"");
  if (code >= 0) {
    b_puts(b, "at=error code=");
    b_puts(b, CODES[code]);
    b_puts(b, " desc=\\\"");
    b_puts(b, DESCS[code]);
    b_puts(b, "\\\" ");
  } else {
    b_puts(b, "at=info ");
  }
  b_put(b, x->logmid.p, x->logmid.len);
  b_puts(b, "dyno=");
  if (x->dyno >= 0) b_puts(b, x->a->dynos[x->dyno].name);
  b_puts(b, " connect=");
  if (x->connect_ms >= 0) put_ms(b, x->connect_ms);
  b_puts(b, " service=");
  if (x->sent_at != 0) put_ms(b, (int64_t)(now_ms() - x->sent_at));
  b_puts(b, " status=");
  b_putu(b, (uint64_t)status);
  b_puts(b, " bytes=");
  if (x->dyno >= 0) b_putu(b, x->resp_kind == CHUNKED && x->head_sent ? x->resp_chunks.data : x->bytes);
  b_puts(b, " protocol=http\"}");
  log_line(&P.logs, x->a->log, b->p, b->len);
}

/* ---- exchanges ---------------------------------------------------------------------------- */

static void parse_next(conn_t *c);
static void connect_to_dyno(conn_t *c, int fresh);
static void destroy_conn(conn_t *c);

/* The exchange is over: its buffers are kept for the next one, its table let go. */
static void exch_end(conn_t *c) {
  exch_t *x = &c->x;
  if (x->up != NULL) up_destroy(x->up);
  x->up = NULL;
  x->phase = P_NONE;
  table_unref(x->t);
  x->t = NULL;
  x->a = NULL;
  c->busy = 0;
}

/* Closes our side once everything is written; the sweep cuts a client that never closes its own. */
static void close_conn(conn_t *c) {
  c->gone = 1;
  c->in.len = 0;
  if (c->out.len == 0) shutdown(c->fd, SHUT_WR);
  c->deadline = P.now + P.o.keep_alive_ms;
  update_client(c);
}

/* After an exchange: the next request, or the connection closes. */
static void next_or_close(conn_t *c, int keep_alive) {
  if (!keep_alive) return close_conn(c);
  c->deadline = P.now + P.o.keep_alive_ms;
  update_client(c);
  if (c->in.len > 0) parse_next(c);
}

static void write_page(conn_t *c, int status, const char *reason, const char *body, size_t body_len, int keep_alive) {
  exch_t *x = &c->x;
  bytes_t *b = &scratch;
  b->len = 0;
  b_puts(b, "HTTP/1.1 ");
  b_putu(b, (uint64_t)status);
  b_puts(b, " ");
  b_puts(b, reason);
  b_puts(b, "\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: ");
  b_putu(b, body_len);
  b_puts(b, "\r\nCache-Control: no-cache, no-store\r\nX-Request-Id: ");
  b_put(b, x->rid, (size_t)x->rid_len);
  b_puts(b, keep_alive ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n");
  b_put(b, body, body_len);
  client_write(c, b->p, b->len);
}

/* Answers with Heroku's Application Error page and logs the error (H12, H13, H19, H21). */
static void fail(conn_t *c, int code) {
  exch_t *x = &c->x;
  record(c, 503, code);
  if (x->head_sent) return destroy_conn(c);
  int keep_alive = x->req_done && !x->client_close && !c->draining;
  bytes_t body = {0};
  b_puts(&body, P.o.page_prefix[code]);
  b_put(&body, x->rid, (size_t)x->rid_len);
  b_puts(&body, P.o.page_suffix[code]);
  exch_end(c);
  write_page(c, 503, "Service Unavailable", body.p, body.len, keep_alive);
  b_free(&body);
  next_or_close(c, keep_alive);
}

/* The response is complete: log, pool the dyno connection, the next request or close. */
static void finish(conn_t *c) {
  exch_t *x = &c->x;
  record(c, x->status, -1);
  up_t *u = x->up;
  x->up = NULL;
  if (u != NULL) {
    if (x->reusable && x->req_done) pool_release(u);
    else up_destroy(u);
  }
  int keep_alive = x->req_done && !x->close_client && !c->draining;
  exch_end(c);
  next_or_close(c, keep_alive);
}

/* Gone or broken mid-response: the client must not take a truncated body for a whole one. */
static void cut(conn_t *c, int code) {
  record(c, c->x.status, code);
  destroy_conn(c);
}

static void request_sent(conn_t *c) {
  exch_t *x = &c->x;
  if (x->phase != P_SENDING) return;
  x->phase = P_WAITING;
  c->deadline = P.now + P.o.response_ms;
}

static long body_end(int kind, uint64_t *remaining, chunked_t *ch, const unsigned char *buf, long start, long end) {
  switch (kind) {
    case LENGTH: {
      uint64_t n = (uint64_t)(end - start);
      if (n > *remaining) n = *remaining;
      *remaining -= n;
      return *remaining == 0 ? start + (long)n : -1;
    }
    case CHUNKED: return chunked_feed(ch, buf, start, end);
    case UNTIL_CLOSE: return -1;
    default: return start;
  }
}

/* The request body's part of c->in goes to the dyno (or waits until connected); returns 0 when c is no longer usable. */
static int relay_request_body(conn_t *c) {
  exch_t *x = &c->x;
  long end = body_end(x->req_kind, &x->req_remaining, &x->req_chunks, (const unsigned char *)c->in.p, 0, (long)c->in.len);
  if (end == -2) {
    if (x->head_sent) {
      destroy_conn(c);
      return 0;
    }
    static const char reason[] = "Bad Request";
    int keep_alive = 0;
    exch_end(c);
    write_page(c, 400, reason, P.o.bad_chunked_page, strlen(P.o.bad_chunked_page), keep_alive);
    close_conn(c);
    return 0;
  }
  size_t body = end < 0 ? c->in.len : (size_t)end;
  if (body > 0) {
    if (x->phase == P_CONNECTING) b_put(&x->pending, c->in.p, body);
    else if (x->up != NULL) up_write(x->up, c->in.p, body);
    b_consume(&c->in, body);
  }
  if (end >= 0) {
    x->req_done = 1;
    if (x->phase == P_SENDING) request_sent(c);
  }
  return 1;
}

static void send_request(conn_t *c) {
  exch_t *x = &c->x;
  x->connect_ms = (int64_t)(P.now - x->connect_start);
  x->sent_at = P.now;
  x->phase = P_SENDING;
  c->deadline = 0;
  up_write2(x->up, x->head.p, x->head.len, x->pending.p, x->pending.len);
  x->pending.len = 0;
  if (x->req_done) request_sent(c);
  update_client(c);
  update_up(x->up);
}

/* Sends the request to a random untried dyno, preferring ones not in quarantine; none left: the last error. */
static void connect_to_dyno(conn_t *c, int fresh) {
  exch_t *x = &c->x;
  for (;;) {
    if (x->dyno >= 0 && !fresh) x->tried |= 1ull << x->dyno;
    app_t *a = x->a;
    int cand[MAX_DYNOS], n = 0;
    for (int i = 0; i < a->n; i++)
      if (!(x->tried & (1ull << i)) && !quarantined(a->dynos[i].id, P.now)) cand[n++] = i;
    if (n == 0)
      for (int i = 0; i < a->n; i++)
        if (!(x->tried & (1ull << i))) cand[n++] = i;
    if (n == 0) return fail(c, x->last_code);
    int i = cand[n == 1 ? 0 : random_below((uint32_t)n)];
    x->dyno = i;
    x->phase = P_CONNECTING;
    x->connect_start = P.now;
    up_t *u = lease(&a->dynos[i], c, fresh);
    fresh = 0;
    if (u == NULL) {
      quarantine_add(a->dynos[i].id, P.now, P.o.quarantine_ms);
      x->last_code = H21;
      continue;
    }
    x->up = u;
    if (u->connected) return send_request(c);
    c->deadline = x->connect_start + P.o.connect_ms;
    update_client(c);
    return;
  }
}

/* The dyno connection under c's exchange closed: another dyno, a retry, H13, the end of a close-delimited body, or H18. */
static void dyno_closed(conn_t *c, int reused) {
  exch_t *x = &c->x;
  x->up = NULL;
  if (x->phase == P_CONNECTING) {
    quarantine_add(x->a->dynos[x->dyno].id, P.now, P.o.quarantine_ms);
    x->last_code = H21;
    return connect_to_dyno(c, 0);
  }
  if (x->phase == P_SENDING || x->phase == P_WAITING) {
    /* A pooled connection the dyno closed as it was reused: nothing reached the app, so a bodyless request goes again, once. */
    if (reused && x->req_kind == NO_BODY && !x->stale_retried && x->resp_head.len == 0) {
      x->stale_retried = 1;
      return connect_to_dyno(c, 1);
    }
    return fail(c, H13);
  }
  if (x->phase != P_RESPONDING) return;
  if (x->resp_kind == UNTIL_CLOSE) {
    x->reusable = 0;
    return finish(c);
  }
  cut(c, H18);
}

/* The rest of a response body in buf[start, n). */
static void relay_response_body(conn_t *c, const unsigned char *buf, long start, long n) {
  exch_t *x = &c->x;
  long end = body_end(x->resp_kind, &x->resp_remaining, &x->resp_chunks, buf, start, n);
  if (end == -2) return cut(c, H18);
  long stop = end < 0 ? n : end;
  if (stop > start) {
    x->bytes += (uint64_t)(stop - start);
    client_write(c, (const char *)buf + start, (size_t)(stop - start));
  }
  if (end >= 0) {
    if (end < n) x->reusable = 0; /* bytes past the response: not to be trusted */
    finish(c);
  }
}

static long find_head_end(const char *p, size_t from, size_t len) {
  if (len < 4) return -1;
  for (size_t i = from; i + 3 < len; i++) {
    const char *q = memchr(p + i, '\r', len - 3 - i);
    if (q == NULL) return -1;
    i = (size_t)(q - p);
    if (q[1] == '\n' && q[2] == '\r' && q[3] == '\n') return (long)i;
  }
  return -1;
}

/* Bytes from the dyno: the response head (interim ones passed on), then the body by its framing. */
static void on_dyno_bytes(conn_t *c, const unsigned char *data, long n) {
  exch_t *x = &c->x;
  x->last_activity = P.now;
  if (x->phase == P_RESPONDING) return relay_response_body(c, data, 0, n);
  if (x->phase != P_WAITING && x->phase != P_SENDING) return;
  const char *buf = (const char *)data;
  size_t len = (size_t)n;
  if (x->resp_head.len > 0) {
    b_put(&x->resp_head, data, (size_t)n);
    buf = x->resp_head.p;
    len = x->resp_head.len;
  }
  for (;;) {
    long end = find_head_end(buf, 0, len);
    if (end < 0) {
      if (len > MAX_HEAD) return fail(c, H13);
      if (buf >= x->resp_head.p && buf < x->resp_head.p + x->resp_head.cap) {
        memmove(x->resp_head.p, buf, len);
        x->resp_head.len = len;
      } else {
        x->resp_head.len = 0;
        b_put(&x->resp_head, buf, len);
      }
      return;
    }
    resp_head_t r;
    bytes_t *out = &scratch;
    out->len = 0;
    int close_wanted = x->client_close || !x->req_done || c->draining;
    if (!response_head(buf, (int)end, x->is_head, close_wanted, &r, out)) {
      x->resp_head.len = 0;
      return fail(c, H13);
    }
    size_t start = (size_t)end + 4;
    if (r.interim) {
      client_write(c, out->p, out->len);
      if (start >= len) {
        x->resp_head.len = 0;
        return;
      }
      buf += start;
      len -= start;
      continue;
    }
    x->status = r.status;
    x->phase = P_RESPONDING;
    x->head_sent = 1;
    c->deadline = x->last_activity + P.o.idle_ms;
    x->resp_kind = r.kind;
    x->resp_remaining = r.length;
    chunked_reset(&x->resp_chunks);
    x->reusable = r.kind != UNTIL_CLOSE && r.dyno_keeps_alive;
    x->close_client = r.close_client;
    long bend = body_end(x->resp_kind, &x->resp_remaining, &x->resp_chunks, (const unsigned char *)buf, (long)start,
                         (long)len);
    if (bend == -2) {
      x->resp_head.len = 0;
      return cut(c, H18);
    }
    size_t stop = bend < 0 ? len : (size_t)bend;
    if (bend >= 0 && (size_t)bend < len) x->reusable = 0;
    x->bytes += stop - start;
    b_put(out, buf + start, stop - start); /* the head and the body bytes with it: one write */
    x->resp_head.len = 0;
    client_write(c, out->p, out->len);
    if (bend >= 0) finish(c);
    return;
  }
}

/* ---- request heads ------------------------------------------------------------------------ */

/* Gives the connection, with every byte read and not acted on, to the TypeScript plane. */
static void hand_over(conn_t *c) {
  P.stats.handed_over++;
  epoll_ctl(P.epfd, EPOLL_CTL_DEL, c->fd, NULL);
  int fd = c->fd;
  bytes_t in = c->in;
  c->in.p = NULL;
  c->in.len = c->in.cap = 0;
  c->fd = -1;
  destroy_conn(c);
  P.handover(P.ctx, fd, in.p, in.len);
  b_free(&in);
}

static void start_request(conn_t *c, long end) {
  req_head_t *h = &req;
  if (!parse_request(c->in.p, (int)end, h)) return hand_over(c);
  table_t *t = P.table;
  app_t *a = t == NULL ? NULL : table_route(t, h->host);
  if (a == NULL || a->n == 0 || a->n > MAX_DYNOS) return hand_over(c);
  exch_t *x = &c->x;
  x->phase = P_CONNECTING;
  x->t = t;
  table_ref(t);
  x->a = a;
  x->dyno = -1;
  x->tried = 0;
  x->last_code = H21;
  x->stale_retried = 0;
  x->logged = 0;
  x->is_head = h->method.n == 4 && memcmp(h->method.p, "HEAD", 4) == 0;
  x->received = P.now;
  x->connect_ms = -1;
  x->sent_at = 0;
  x->last_activity = P.now;
  x->status = 0;
  x->bytes = 0;
  x->head_sent = 0;
  x->reusable = 1;
  x->close_client = 0;
  x->resp_kind = NO_BODY;
  x->resp_head.len = 0;
  x->req_kind = h->kind;
  x->req_remaining = h->length;
  chunked_reset(&x->req_chunks);
  x->req_done = h->kind == NO_BODY;
  x->client_close = h->close;
  if (h->request_id_count == 1 && request_id_ok(h->request_id)) {
    memcpy(x->rid, h->request_id.p, (size_t)h->request_id.n);
    x->rid_len = h->request_id.n;
  } else {
    x->rid_len = new_request_id(x->rid);
  }
  bytes_t *fwd = &scratch;
  fwd->len = 0;
  list_append(fwd, h, 3, c->client, (size_t)c->client_len);
  x->pending.len = 0;
  x->head.len = 0;
  dyno_request_head(&x->head, h, fwd->p, fwd->len, P.port, x->received, x->rid, x->rid_len);
  bytes_t *m = &x->logmid;
  m->len = 0;
  b_puts(m, "method=");
  b_put(m, h->method.p, (size_t)h->method.n);
  b_puts(m, " path=\\\"");
  b_put(m, h->target.p, (size_t)h->target.n);
  b_puts(m, "\\\" host=");
  for (int i = 0; i < h->host.n && h->host.p[i] != ':'; i++) {
    char ch = h->host.p[i];
    char lc = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
    b_put(m, &lc, 1);
  }
  b_puts(m, " request_id=");
  b_put(m, x->rid, (size_t)x->rid_len);
  b_puts(m, " fwd=\\\"");
  b_put(m, fwd->p, fwd->len);
  b_puts(m, "\\\" ");
  b_consume(&c->in, (size_t)end + 4);
  c->busy = 1;
  P.stats.requests++;
  if (!x->req_done && c->in.len > 0 && !relay_request_body(c)) return;
  connect_to_dyno(c, 0);
}

/* Serves the complete heads in c->in, one exchange at a time, once what was written before is out. */
static void parse_next(conn_t *c) {
  while (c->kind == K_CLIENT && !c->busy && !c->gone && c->in.len > 0 && c->out.len == 0) {
    size_t skip = 0;
    while (skip + 1 < c->in.len && c->in.p[skip] == '\r' && c->in.p[skip + 1] == '\n') skip += 2;
    if (skip > 0) {
      b_consume(&c->in, skip);
      c->scanned = 0;
      if (c->in.len == 0) break;
    }
    long end = find_head_end(c->in.p, c->scanned, c->in.len);
    if (end < 0) {
      c->scanned = c->in.len > 3 ? c->in.len - 3 : 0;
      if (c->in.len > MAX_HEAD) return hand_over(c); /* the TypeScript plane answers 431 */
      if (c->head_since == 0) c->head_since = P.now;
      c->deadline = c->head_since + P.o.head_ms;
      break;
    }
    c->head_since = 0;
    c->scanned = 0;
    start_request(c, end);
  }
  if (c->kind == K_CLIENT) update_client(c);
}

/* ---- connection ends ---------------------------------------------------------------------- */

static void destroy_conn(conn_t *c) {
  if (c->kind != K_CLIENT) return;
  if (c->busy) {
    exch_t *x = &c->x;
    if (!x->logged) {
      if (x->head_sent) record(c, x->status, -1);
      else record(c, 499, H27);
    }
    exch_end(c);
  }
  if (c->fd >= 0) {
    epoll_ctl(P.epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
  }
  if (c->prev) c->prev->next = c->next;
  else P.conns = c->next;
  if (c->next) c->next->prev = c->prev;
  P.nconns--;
  c->kind = K_DEAD;
  c->dead_next = P.dead_conns;
  P.dead_conns = c;
}

static void free_dead(void) {
  while (P.dead_conns) {
    conn_t *c = P.dead_conns;
    P.dead_conns = c->dead_next;
    b_free(&c->in);
    b_free(&c->out);
    b_free(&c->x.logmid);
    b_free(&c->x.resp_head);
    b_free(&c->x.pending);
    b_free(&c->x.head);
    free(c);
  }
  while (P.dead_ups) {
    up_t *u = P.dead_ups;
    P.dead_ups = u->dead_next;
    b_free(&u->out);
    free(u);
  }
}

/* ---- events ------------------------------------------------------------------------------- */

static void on_client(conn_t *c, uint32_t ev) {
  if (ev & EPOLLOUT) {
    while (c->out.len > 0) {
      ssize_t w = send(c->fd, c->out.p, c->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w < 0) {
        if (errno == EAGAIN) break;
        return destroy_conn(c);
      }
      b_consume(&c->out, (size_t)w);
    }
    if (c->out.len == 0) {
      if (c->gone) shutdown(c->fd, SHUT_WR);
      update_up(c->x.up);
      if (!c->busy) parse_next(c);
    }
    update_client(c);
    if (c->kind != K_CLIENT) return;
  }
  if (!(ev & (EPOLLIN | EPOLLHUP | EPOLLERR)) || !(c->events & EPOLLIN)) {
    if (ev & (EPOLLHUP | EPOLLERR)) destroy_conn(c);
    return;
  }
  b_reserve(&c->in, 16384);
  ssize_t r = read(c->fd, c->in.p + c->in.len, c->in.cap - c->in.len);
  if (r < 0) {
    if (errno == EAGAIN) return;
    return destroy_conn(c);
  }
  if (r == 0) {
    /* the client half-closed: a request in flight is given up (H27); an idle connection closes */
    if (c->busy || c->out.len == 0) return destroy_conn(c);
    c->gone = 1;
    c->in.len = 0;
    return update_client(c);
  }
  if (c->gone) return; /* answered and closing: nothing more is read */
  c->in.len += (size_t)r;
  if (!c->busy) return parse_next(c);
  exch_t *x = &c->x;
  x->last_activity = P.now;
  if (!x->req_done && !relay_request_body(c)) return;
  update_client(c);
}

static void on_up(up_t *u, uint32_t ev) {
  conn_t *c = u->owner;
  if (!u->connected) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(u->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0 || (ev & (EPOLLERR | EPOLLHUP))) {
      up_destroy(u);
      if (c != NULL) dyno_closed(c, 0);
      return;
    }
    u->connected = 1;
    if (c != NULL) send_request(c);
    update_up(u);
    return;
  }
  if (ev & EPOLLOUT) {
    while (u->out.len > 0) {
      ssize_t w = send(u->fd, u->out.p, u->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w < 0) {
        if (errno == EAGAIN) break;
        ev |= EPOLLERR;
        break;
      }
      b_consume(&u->out, (size_t)w);
    }
    update_up(u);
    if (c != NULL && u->out.len == 0) update_client(c);
  }
  if (!(ev & (EPOLLIN | EPOLLHUP | EPOLLERR))) return;
  if (!(u->events & EPOLLIN) && !(ev & (EPOLLHUP | EPOLLERR))) return;
  ssize_t r = (u->events & EPOLLIN) ? read(u->fd, rbuf, sizeof rbuf) : -1;
  if (r < 0 && errno == EAGAIN && !(ev & (EPOLLHUP | EPOLLERR))) return;
  if (r > 0 && c != NULL) return on_dyno_bytes(c, rbuf, (long)r);
  /* closed, failed, or bytes nobody asked for (the connection cannot be trusted on) */
  int reused = u->reused;
  up_destroy(u);
  if (c != NULL) dyno_closed(c, reused);
}

static void on_accept(void) {
  for (int k = 0; k < 64; k++) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    int fd = accept4(P.lfd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        interest(P.lfd, &P.listen_kind, &P.listen_events, 0); /* out of descriptors: accepting again in 100 ms */
        P.accept_again_at = P.now + 100;
      }
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    conn_t *c = calloc(1, sizeof *c);
    c->kind = K_CLIENT;
    c->fd = fd;
    c->deadline = P.now + P.o.head_ms;
    c->x.up = NULL;
    if (ss.ss_family == AF_INET) {
      inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, c->client, sizeof c->client);
    } else if (ss.ss_family == AF_INET6) {
      struct in6_addr *a6 = &((struct sockaddr_in6 *)&ss)->sin6_addr;
      if (IN6_IS_ADDR_V4MAPPED(a6)) inet_ntop(AF_INET, &a6->s6_addr[12], c->client, sizeof c->client);
      else inet_ntop(AF_INET6, a6, c->client, sizeof c->client);
    } else {
      strcpy(c->client, "unknown");
    }
    c->client_len = (int)strlen(c->client);
    c->next = P.conns;
    if (P.conns) P.conns->prev = c;
    P.conns = c;
    P.nconns++;
    P.stats.accepted++;
    c->events = EPOLLIN;
    add_fd(fd, c, EPOLLIN);
    if (P.draining) destroy_conn(c);
  }
}

static void on_poll(uv_poll_t *h, int status, int events) {
  (void)status;
  (void)events;
  ENTER(h->data);
  struct epoll_event ev[256];
  for (;;) {
    int n = epoll_wait(P.epfd, ev, 256, 0);
    if (n <= 0) break;
    P.now = now_ms();
    for (int i = 0; i < n; i++) {
      int kind = *(int *)ev[i].data.ptr;
      if (kind == K_CLIENT) on_client(ev[i].data.ptr, ev[i].events);
      else if (kind == K_UP) on_up(ev[i].data.ptr, ev[i].events);
      else if (kind == K_LISTEN && P.lfd >= 0) on_accept();
    }
    free_dead();
    if (n < 256) break;
  }
  LEAVE();
}

/* Deadlines (head/keep-alive, H19, H12, H15) at a tenth of the smallest timeout; stale pooled connections. */
static void on_sweep(uv_timer_t *t) {
  ENTER(t->data);
  P.now = now_ms();
  for (conn_t *c = P.conns, *next; c != NULL; c = next) {
    next = c->next;
    if (c->deadline == 0 || P.now < c->deadline) continue;
    exch_t *x = &c->x;
    if (!c->busy || c->gone) {
      destroy_conn(c);
    } else if (x->phase == P_CONNECTING) {
      up_destroy(x->up);
      x->up = NULL;
      quarantine_add(x->a->dynos[x->dyno].id, P.now, P.o.quarantine_ms);
      x->last_code = H19;
      connect_to_dyno(c, 0);
    } else if (x->phase == P_WAITING) {
      fail(c, H12);
    } else if (x->phase == P_RESPONDING) {
      if (P.now - x->last_activity < P.o.idle_ms) c->deadline = x->last_activity + P.o.idle_ms;
      else cut(c, H15);
    } else {
      c->deadline = 0;
    }
  }
  if (P.accept_again_at != 0 && P.now >= P.accept_again_at && P.lfd >= 0) {
    P.accept_again_at = 0;
    interest(P.lfd, &P.listen_kind, &P.listen_events, EPOLLIN);
  }
  if (P.now - P.last_pool_sweep >= POOL_IDLE_MS / 3) {
    P.last_pool_sweep = P.now;
    for (int i = 0; i < P.npools; i++) {
      for (up_t *u = P.idle[i], *next; u != NULL; u = next) {
        next = u->next;
        if (P.now - u->idle_since >= POOL_IDLE_MS) up_destroy(u);
      }
    }
  }
  free_dead();
  LEAVE();
}

/* ---- lifecycle ---------------------------------------------------------------------------- */

int listen_socket(const char *host, int port, char *msg, size_t msg_len) {
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV}, *ai = NULL;
  char service[16];
  snprintf(service, sizeof service, "%d", port);
  int gai = getaddrinfo(host, service, &hints, &ai);
  if (gai != 0) {
    snprintf(msg, msg_len, "%s", gai_strerror(gai));
    return -EINVAL;
  }
  int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 511) < 0) {
    int err = errno;
    snprintf(msg, msg_len, "%s", strerror(err));
    if (fd >= 0) close(fd);
    freeaddrinfo(ai);
    return -err;
  }
  freeaddrinfo(ai);
  return fd;
}

plane_t *plane_start(uv_loop_t *loop, const char *host, int port, int listen_fd, const plane_opts_t *o,
                     handover_fn handover, void *ctx, char *msg, size_t msg_len) {
  int fd;
  if (listen_fd >= 0) {
    fd = fcntl(listen_fd, F_DUPFD_CLOEXEC, 3);
    if (fd < 0 || fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
      snprintf(msg, msg_len, "the inherited listening socket %d: %s", listen_fd, strerror(errno));
      return NULL;
    }
  } else {
    fd = listen_socket(host, port, msg, msg_len);
    if (fd < 0) return NULL;
  }
  plane_t *pl = calloc(1, sizeof *pl);
  ENTER(pl);
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  getsockname(fd, (struct sockaddr *)&ss, &len);
  P.port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port : ((struct sockaddr_in *)&ss)->sin_port);
  P.lfd = fd;
  P.o = *o;
  P.handover = handover;
  P.ctx = ctx;
  P.epfd = epoll_create1(EPOLL_CLOEXEC);
  P.listen_kind = K_LISTEN;
  P.listen_events = EPOLLIN;
  add_fd(fd, &P.listen_kind, EPOLLIN);
  P.now = now_ms();
  P.last_pool_sweep = P.now;
  P.rand_used = sizeof P.rand_pool;
  random_bytes(&P.rng, sizeof P.rng);
  P.rng |= 1;
  uv_poll_init(loop, &P.poll, P.epfd);
  P.poll.data = pl;
  uv_poll_start(&P.poll, UV_READABLE, on_poll);
  uint64_t smallest = o->connect_ms;
  if (o->response_ms < smallest) smallest = o->response_ms;
  if (o->idle_ms < smallest) smallest = o->idle_ms;
  if (o->keep_alive_ms < smallest) smallest = o->keep_alive_ms;
  uint64_t every = smallest / 10;
  if (every < 10) every = 10;
  if (every > 250) every = 250;
  uv_timer_init(loop, &P.timer);
  P.timer.data = pl;
  uv_timer_start(&P.timer, on_sweep, every, every);
  uv_unref((uv_handle_t *)&P.timer);
  P.running = 1;
  P.handles_open = 2;
  LEAVE();
  return pl;
}

int plane_port(plane_t *pl) { return pl->port; }

void plane_set_table(plane_t *pl, table_t *t) {
  table_t *old = pl->table;
  pl->table = t;
  table_unref(old);
}

static void stop_listening(void) {
  if (P.lfd < 0) return;
  epoll_ctl(P.epfd, EPOLL_CTL_DEL, P.lfd, NULL);
  close(P.lfd);
  P.lfd = -1;
}

void plane_close_idle(plane_t *pl) {
  if (!pl->running) return;
  ENTER(pl);
  P.draining = 1;
  P.now = now_ms();
  stop_listening();
  uv_unref((uv_handle_t *)&P.poll);
  for (conn_t *c = P.conns, *next; c != NULL; c = next) {
    next = c->next;
    c->draining = 1;
    if (!c->busy) destroy_conn(c);
  }
  free_dead();
  LEAVE();
}

/* The plane's memory goes once libuv is done with both of its handles. */
static void handle_closed(uv_handle_t *h) {
  plane_t *pl = h->data;
  if (--pl->handles_open > 0) return;
  for (int i = 0; i < pl->logs.n; i++) {
    log_batch_t *b = &pl->logs.batches[i];
    free(b->app_id);
    b_free(&b->cur);
    for (int j = 0; j < b->nsealed; j++) b_free(&b->sealed[j]);
    free(b->sealed);
  }
  free(pl->logs.batches);
  if (pl->logs.ids.keys) map_free(&pl->logs.ids);
  if (pl->pools.keys) map_free(&pl->pools);
  free(pl->idle);
  free(pl);
}

void plane_close(plane_t *pl) {
  if (!pl->running) return;
  plane_close_idle(pl);
  ENTER(pl);
  while (P.conns != NULL) destroy_conn(P.conns);
  for (int i = 0; i < P.npools; i++)
    while (P.idle[i] != NULL) up_destroy(P.idle[i]);
  free_dead();
  uv_poll_stop(&P.poll);
  uv_close((uv_handle_t *)&P.poll, handle_closed);
  uv_timer_stop(&P.timer);
  uv_close((uv_handle_t *)&P.timer, handle_closed);
  close(P.epfd);
  plane_set_table(pl, NULL);
  P.running = 0;
  LEAVE();
}

int plane_connections(plane_t *pl) { return pl->running ? pl->nconns : 0; }

plane_stats_t plane_stats(plane_t *pl) { return pl->stats; }
