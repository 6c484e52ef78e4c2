/* The native data plane: route table, log batches and the connection loop (plane.c). */
#ifndef PAAS_PLANE_H
#define PAAS_PLANE_H

#include <stdint.h>
#include <sys/socket.h>
#include <uv.h>

#include "http.h"

/* A string -> int map (open addressing), for hosts, app names, dyno pools and log batches. */
typedef struct {
  char **keys;
  int *vals;
  uint32_t cap, count;
} strmap_t;

void map_init(strmap_t *m);
/* The value for key[0, n), or -1. */
int map_get(const strmap_t *m, const char *key, int n);
void map_set(strmap_t *m, const char *key, int n, int val);
void map_free(strmap_t *m);

typedef struct {
  char *id;   /* dynoId */
  char *name; /* web.1 */
  struct sockaddr_storage addr;
  socklen_t addr_len;
  int pool; /* index of its connection pool (host:port) */
} dyno_t;

typedef struct {
  char *id;   /* appId: its log subject */
  char *name;
  int log;    /* index of its log batch */
  int n;
  dyno_t *dynos;
} app_t;

/* One route table as the TypeScript side pushed it: only apps the native plane can serve (up web dynos, not in maintenance). */
typedef struct table {
  int refs;
  char *suffix; /* ".<domain>" */
  int napps;
  app_t *apps;
  strmap_t by_name;   /* app name -> index */
  strmap_t hostnames; /* custom hostname (wildcards as *.x) -> app index, -1: an app the TypeScript plane answers */
} table_t;

table_t *table_new(void);
void table_ref(table_t *t);
void table_unref(table_t *t);
/* The app a Host header value leads to (routing-table.ts route()), or NULL: handed over. */
app_t *table_route(table_t *t, span_t host);

/* Log batches per app (router-log.ts): one message per app of at most 100 lines. */
typedef struct {
  char *app_id;
  bytes_t cur; /* "[" then the lines joined by commas */
  int lines;
  bytes_t *sealed; /* whole payloads, in order */
  int nsealed, capsealed;
} log_batch_t;

typedef struct {
  strmap_t ids;
  log_batch_t *batches;
  int n, cap;
} logs_t;

int log_index(logs_t *l, const char *app_id);
void log_line(logs_t *l, int log, const char *line, size_t len);
/* Every waiting message as (app id, payload) pairs, then the batches are emptied. */
typedef void (*log_sink)(void *ctx, const char *app_id, const char *payload, size_t len);
int logs_take(logs_t *l, log_sink sink, void *ctx);

typedef struct plane plane_t;

/* The plane's connection pool for a dyno address (one per address, whatever the table). */
int pool_index(plane_t *pl, const struct sockaddr_storage *addr, socklen_t len);
/* The plane's log batches. */
logs_t *plane_logs(plane_t *pl);

/* Quarantine (domain/quarantine.ts): per dyno id. */
void quarantine_add(const char *dyno_id, uint64_t now, uint64_t ms);
int quarantined(const char *dyno_id, uint64_t now);

/* Options of the plane, from the TypeScript side. */
typedef struct {
  uint64_t connect_ms, response_ms, idle_ms, quarantine_ms, keep_alive_ms, head_ms;
  int reuse_port;
  /* Error pages around the request id: Application Error for H12, H13, H19, H21 (index by code). */
  char *page_prefix[4], *page_suffix[4];
  char *bad_chunked_page; /* the 400 body for a malformed chunked request body */
} plane_opts_t;

/* Called to give a client connection (and the bytes read from it and not acted on) to the TypeScript plane. */
typedef void (*handover_fn)(void *ctx, int fd, const char *data, size_t len);

/* A listening socket on host:port (for several processes to share), or -errno with msg set. */
int listen_socket(const char *host, int port, char *msg, size_t msg_len);

/*
 * Starts a plane accepting on a copy of listen_fd, or on a socket of its own on host:port when
 * listen_fd < 0; NULL with msg set when it cannot listen.
 */
plane_t *plane_start(uv_loop_t *loop, const char *host, int port, int listen_fd, const plane_opts_t *o,
                     handover_fn handover, void *ctx, char *msg, size_t msg_len);
int plane_port(plane_t *pl);
void plane_set_table(plane_t *pl, table_t *t);
/* Stops accepting; idle connections close now, busy ones after their exchange. */
void plane_close_idle(plane_t *pl);
/* Cuts every connection and stops; the plane is freed once its handles are closed. */
void plane_close(plane_t *pl);
int plane_connections(plane_t *pl);

/* What a plane did since it started. */
typedef struct {
  uint64_t accepted;    /* client connections */
  uint64_t requests;    /* requests served here */
  uint64_t handed_over; /* connections given to the TypeScript plane */
} plane_stats_t;
plane_stats_t plane_stats(plane_t *pl);

uint64_t now_ms(void);

#endif
