/*
 * The native data plane's connections: accept, read the usual request, send it over a pooled
 * keep-alive dyno connection, relay the response by its framing, log one line. The same state
 * machine as adapters/raw (client-connection.ts, upstream.ts, response.ts), on one epoll set that
 * Node's own event loop polls: no threads, no locks. Whatever the native plane does not serve is
 * handed over (the socket and the bytes read from it) to the TypeScript plane before it is acted on.
 */
#define _GNU_SOURCE
#include "plane_internal.h"

plane_t *P_cur;
unsigned char rbuf[READ_SIZE];
bytes_t scratch;

uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void random_bytes(void *out, size_t n) {
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
int new_request_id(char *out) {
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

uint32_t random_below(uint32_t n) {
  uint64_t x = P.rng;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  P.rng = x;
  return (uint32_t)(((x * 2685821657736338717ull) >> 32) % n);
}

/* ---- epoll interest ---------------------------------------------------------------------- */

void interest(int fd, void *obj, uint32_t *cur, uint32_t ev) {
  if (*cur == ev) return;
  struct epoll_event e = {.events = ev, .data.ptr = obj};
  epoll_ctl(P.epfd, EPOLL_CTL_MOD, fd, &e);
  *cur = ev;
}


/* A client is read unless: its request body waits for the dyno connection or its backpressure, or too much is pipelined. */
void update_client(conn_t *c) {
  if (c->kind != K_CLIENT) return;
  exch_t *x = &c->x;
  int read = 1;
  if (c->busy && !x->req_done && (x->phase == P_CONNECTING || (x->up != NULL && x->up->out.len > 0))) read = 0;
  if (c->in.len > MAX_HEAD) read = 0;
  interest(c->fd, c, &c->events, (read ? EPOLLIN : 0) | (c->out.len > 0 ? EPOLLOUT : 0));
}

/* A dyno connection is read when idle in the pool (to see it close) or when its client keeps up. */
void update_up(up_t *u) {
  if (u == NULL || u->kind != K_UP) return;
  uint32_t ev = 0;
  if (!u->connected) ev = EPOLLOUT;
  else {
    if (u->owner == NULL || u->owner->out.len == 0) ev |= EPOLLIN;
    if (u->out.len > 0) ev |= EPOLLOUT;
  }
  interest(u->fd, u, &u->events, ev);
}

void add_fd(int fd, void *obj, uint32_t ev) {
  struct epoll_event e = {.events = ev, .data.ptr = obj};
  epoll_ctl(P.epfd, EPOLL_CTL_ADD, fd, &e);
}

/* ---- connection ends ---------------------------------------------------------------------- */

void destroy_conn(conn_t *c) {
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

void free_dead(void) {
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
      b_free(&c->out); /* it grew only because the client was slow */
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

