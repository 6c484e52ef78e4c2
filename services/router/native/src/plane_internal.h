/*
 * The native data plane's insides, shared by plane.c (the loop, connections, lifecycle),
 * pool.c (dyno connections) and exchange.c (one request from its head to its log line).
 */
#ifndef PAAS_PLANE_INTERNAL_H
#define PAAS_PLANE_INTERNAL_H

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
extern plane_t *P_cur;
#define P (*P_cur)
#define ENTER(pl) plane_t *saved_plane = P_cur; P_cur = (pl)
#define LEAVE() P_cur = saved_plane

extern unsigned char rbuf[READ_SIZE];
extern bytes_t scratch;

/* plane.c */
uint64_t now_ms(void);
void random_bytes(void *out, size_t n);
int new_request_id(char *out);
uint32_t random_below(uint32_t n);
void interest(int fd, void *obj, uint32_t *cur, uint32_t ev);
void update_client(conn_t *c);
void update_up(up_t *u);
void add_fd(int fd, void *obj, uint32_t ev);
void destroy_conn(conn_t *c);
void free_dead(void);

/* pool.c */
void up_destroy(up_t *u);
up_t *lease(const dyno_t *d, conn_t *owner, int fresh);
void pool_release(up_t *u);
void up_write(up_t *u, const char *d, size_t n);
void up_write2(up_t *u, const char *a, size_t an, const char *b, size_t bn);

/* exchange.c */
void exch_end(conn_t *c);
void client_write(conn_t *c, const char *d, size_t n);
void record(conn_t *c, int status, int code);
void fail(conn_t *c, int code);
void cut(conn_t *c, int code);
int relay_request_body(conn_t *c);
void send_request(conn_t *c);
void connect_to_dyno(conn_t *c, int fresh);
void dyno_closed(conn_t *c, int reused);
void on_dyno_bytes(conn_t *c, const unsigned char *data, long n);
void parse_next(conn_t *c);

#endif
