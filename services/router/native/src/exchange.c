/* One exchange on the native plane: request head, dyno, response, log line (exchange.ts, upstream.ts, response.ts). */
#define _GNU_SOURCE
#include "plane_internal.h"

static req_head_t req;
static const char *CODES[] = {"H12", "H13", "H19", "H21", "H15", "H18", "H27"};
static const char *DESCS[] = {"Request timeout", "Connection closed without response", "Backend connection timeout",
                              "Backend connection refused", "Idle connection", "Server Request Interrupted",
                              "Client Request Interrupted"};

/* ---- client writes ------------------------------------------------------------------------ */

void client_write(conn_t *c, const char *d, size_t n) {
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
void record(conn_t *c, int status, int code) {
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


/* The exchange is over: its buffers are kept for the next one, its table let go. */
void exch_end(conn_t *c) {
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
  else b_free(&c->in); /* an idle keep-alive connection holds no read buffer (16 KiB each otherwise) */
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
void fail(conn_t *c, int code) {
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
void cut(conn_t *c, int code) {
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
int relay_request_body(conn_t *c) {
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

void send_request(conn_t *c) {
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
void connect_to_dyno(conn_t *c, int fresh) {
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
void dyno_closed(conn_t *c, int reused) {
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
void on_dyno_bytes(conn_t *c, const unsigned char *data, long n) {
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
void parse_next(conn_t *c) {
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

