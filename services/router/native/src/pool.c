/* Keep-alive connections to dynos, per dyno address, last used first (see plane_internal.h). */
#define _GNU_SOURCE
#include "plane_internal.h"

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

void up_destroy(up_t *u) {
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
up_t *lease(const dyno_t *d, conn_t *owner, int fresh) {
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

void pool_release(up_t *u) {
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
void up_write(up_t *u, const char *d, size_t n) {
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
void up_write2(up_t *u, const char *a, size_t an, const char *b, size_t bn) {
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

