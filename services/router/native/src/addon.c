/*
 * Node-API binding of the native data plane (adapters/native/native-plane.ts is its one user):
 * start, setTable, takeLogs, closeIdle, close, connections.
 */
#include <netdb.h>
#include <node_api.h>
#include <stdlib.h>
#include <string.h>

#include "plane.h"

/* What a plane's hand-over needs to call into JavaScript. */
typedef struct {
  napi_env env;
  napi_ref handover;
  napi_async_context async;
  plane_t *plane;
} binding_t;

#define CHECK(call)                                                            \
  do {                                                                         \
    if ((call) != napi_ok) {                                                   \
      napi_throw_error(env, NULL, "native data plane: a Node-API call failed"); \
      return NULL;                                                             \
    }                                                                          \
  } while (0)

static napi_value prop(napi_env env, napi_value obj, const char *name) {
  napi_value v = NULL;
  napi_get_named_property(env, obj, name, &v);
  return v;
}

static char *str(napi_env env, napi_value v) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, NULL, 0, &len) != napi_ok) return strdup("");
  char *s = malloc(len + 1);
  napi_get_value_string_utf8(env, v, s, len + 1, &len);
  return s;
}

static int64_t num(napi_env env, napi_value v) {
  int64_t n = 0;
  napi_get_value_int64(env, v, &n);
  return n;
}

static uint32_t length_of(napi_env env, napi_value arr) {
  uint32_t n = 0;
  napi_get_array_length(env, arr, &n);
  return n;
}

static napi_value item(napi_env env, napi_value arr, uint32_t i) {
  napi_value v = NULL;
  napi_get_element(env, arr, i, &v);
  return v;
}

/* Hands a connection to the TypeScript plane: handOver(fd, bytes | null), called on Node's loop. */
static void handover(void *ctx, int fd, const char *data, size_t len) {
  binding_t *b = ctx;
  napi_env env = b->env;
  napi_handle_scope scope;
  napi_open_handle_scope(env, &scope);
  napi_value fn, global, argv[2], result;
  napi_get_reference_value(env, b->handover, &fn);
  napi_get_global(env, &global);
  napi_create_int32(env, fd, &argv[0]);
  if (len > 0) napi_create_buffer_copy(env, len, data, NULL, &argv[1]);
  else napi_get_null(env, &argv[1]);
  if (napi_make_callback(env, b->async, global, fn, 2, argv, &result) != napi_ok) {
    napi_value err;
    if (napi_get_and_clear_last_exception(env, &err) == napi_ok) napi_fatal_exception(env, err);
  }
  napi_close_handle_scope(env, scope);
}

/* The JavaScript handle of a plane is gone: a plane still running is closed with it. */
static void finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  binding_t *b = data;
  if (b->plane != NULL) {
    plane_close(b->plane);
    napi_delete_reference(env, b->handover);
    napi_async_destroy(env, b->async);
  }
  free(b);
}

static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value o;
  CHECK(napi_get_cb_info(env, info, &argc, &o, NULL, NULL));
  plane_opts_t opts;
  memset(&opts, 0, sizeof opts);
  opts.connect_ms = (uint64_t)num(env, prop(env, o, "connectTimeoutMs"));
  opts.response_ms = (uint64_t)num(env, prop(env, o, "responseTimeoutMs"));
  opts.idle_ms = (uint64_t)num(env, prop(env, o, "idleTimeoutMs"));
  opts.quarantine_ms = (uint64_t)num(env, prop(env, o, "quarantineMs"));
  opts.keep_alive_ms = (uint64_t)num(env, prop(env, o, "keepAliveMs"));
  opts.head_ms = (uint64_t)num(env, prop(env, o, "headTimeoutMs"));
  bool reuse = false;
  napi_get_value_bool(env, prop(env, o, "reusePort"), &reuse);
  opts.reuse_port = reuse;
  napi_value pages = prop(env, o, "pages");
  if (length_of(env, pages) != 8) {
    napi_throw_error(env, NULL, "native data plane: pages must hold a prefix and a suffix for H12, H13, H19 and H21");
    return NULL;
  }
  for (int i = 0; i < 4; i++) {
    opts.page_prefix[i] = str(env, item(env, pages, (uint32_t)(2 * i)));
    opts.page_suffix[i] = str(env, item(env, pages, (uint32_t)(2 * i + 1)));
  }
  opts.bad_chunked_page = str(env, prop(env, o, "badChunkedPage"));
  char *host = str(env, prop(env, o, "host"));
  int port = (int)num(env, prop(env, o, "port"));
  int listen_fd = (int)num(env, prop(env, o, "listenFd"));
  binding_t *b = calloc(1, sizeof *b);
  b->env = env;
  CHECK(napi_create_reference(env, prop(env, o, "handOver"), 1, &b->handover));
  napi_value name;
  napi_create_string_utf8(env, "paas-router-native-plane", NAPI_AUTO_LENGTH, &name);
  CHECK(napi_async_init(env, NULL, name, &b->async));
  uv_loop_t *loop;
  CHECK(napi_get_uv_event_loop(env, &loop));
  char msg[256] = "";
  b->plane = plane_start(loop, host, port, listen_fd, &opts, handover, b, msg, sizeof msg);
  free(host);
  if (b->plane == NULL) {
    napi_delete_reference(env, b->handover);
    napi_async_destroy(env, b->async);
    free(b);
    napi_throw_error(env, NULL, msg);
    return NULL;
  }
  napi_value out;
  CHECK(napi_create_external(env, b, finalize, NULL, &out));
  return out;
}

static binding_t *plane_of(napi_env env, napi_callback_info info, napi_value *arg) {
  size_t argc = 2;
  napi_value argv[2];
  void *b = NULL;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_external(env, argv[0], &b) != napi_ok || ((binding_t *)b)->plane == NULL) {
    napi_throw_error(env, NULL, "native data plane: not a running plane");
    return NULL;
  }
  if (arg != NULL) *arg = argc > 1 ? argv[1] : NULL;
  return b;
}

static napi_value int_value(napi_env env, int v) {
  napi_value out;
  napi_create_int32(env, v, &out);
  return out;
}

static napi_value port_of(napi_env env, napi_callback_info info) {
  binding_t *b = plane_of(env, info, NULL);
  return b == NULL ? NULL : int_value(env, plane_port(b->plane));
}

/* listen(host, port): a listening socket for several router processes to share; its fd. */
static napi_value listen_fd(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char *host = str(env, argv[0]);
  char msg[256] = "";
  int fd = listen_socket(host, (int)num(env, argv[1]), msg, sizeof msg);
  free(host);
  if (fd < 0) {
    napi_throw_error(env, NULL, msg);
    return NULL;
  }
  napi_value out;
  napi_create_int32(env, fd, &out);
  return out;
}

/*
 * setTable({ suffix, apps: [{ id, name, dynos: [{ id, name, host, port }] }], hostnames: [host, appName, ...] }):
 * apps are those the native plane serves; a hostname of any other app is kept so that it is handed over.
 */
static napi_value set_table(napi_env env, napi_callback_info info) {
  napi_value o;
  binding_t *b = plane_of(env, info, &o);
  if (b == NULL) return NULL;
  table_t *t = table_new();
  t->suffix = str(env, prop(env, o, "suffix"));
  napi_value apps = prop(env, o, "apps");
  uint32_t napps = length_of(env, apps);
  t->apps = calloc(napps ? napps : 1, sizeof *t->apps);
  for (uint32_t i = 0; i < napps; i++) {
    napi_value a = item(env, apps, i);
    app_t *app = &t->apps[t->napps];
    app->id = str(env, prop(env, a, "id"));
    app->name = str(env, prop(env, a, "name"));
    app->log = log_index(plane_logs(b->plane), app->id);
    napi_value dynos = prop(env, a, "dynos");
    uint32_t nd = length_of(env, dynos);
    app->dynos = calloc(nd ? nd : 1, sizeof *app->dynos);
    int ok = 1;
    for (uint32_t j = 0; j < nd && ok; j++) {
      napi_value d = item(env, dynos, j);
      dyno_t *dy = &app->dynos[app->n];
      char *host = str(env, prop(env, d, "host"));
      char port[16];
      snprintf(port, sizeof port, "%d", (int)num(env, prop(env, d, "port")));
      struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV}, *ai = NULL;
      if (getaddrinfo(host, port, &hints, &ai) != 0 || ai == NULL) ok = 0;
      free(host);
      if (!ok) break;
      memcpy(&dy->addr, ai->ai_addr, ai->ai_addrlen);
      dy->addr_len = ai->ai_addrlen;
      freeaddrinfo(ai);
      dy->id = str(env, prop(env, d, "id"));
      dy->name = str(env, prop(env, d, "name"));
      dy->pool = pool_index(b->plane, &dy->addr, dy->addr_len);
      app->n++;
    }
    map_set(&t->by_name, app->name, (int)strlen(app->name), ok ? t->napps : -2);
    t->napps++;
  }
  napi_value hostnames = prop(env, o, "hostnames");
  uint32_t nh = length_of(env, hostnames);
  for (uint32_t i = 0; i + 1 < nh; i += 2) {
    char *host = str(env, item(env, hostnames, i));
    char *app = str(env, item(env, hostnames, i + 1));
    int idx = map_get(&t->by_name, app, (int)strlen(app));
    map_set(&t->hostnames, host, (int)strlen(host), idx >= 0 ? idx : -2);
    free(host);
    free(app);
  }
  plane_set_table(b->plane, t);
  return NULL;
}

typedef struct {
  napi_env env;
  napi_value arr;
  uint32_t n;
} take_ctx;

static void take_one(void *ctx, const char *app_id, const char *payload, size_t len) {
  take_ctx *t = ctx;
  napi_value id, text;
  napi_create_string_utf8(t->env, app_id, NAPI_AUTO_LENGTH, &id);
  napi_create_string_latin1(t->env, payload, len, &text);
  napi_set_element(t->env, t->arr, t->n++, id);
  napi_set_element(t->env, t->arr, t->n++, text);
}

/* takeLogs(): [appId, payload, appId, payload, ...] of every waiting log message, or null. */
static napi_value take_logs(napi_env env, napi_callback_info info) {
  binding_t *b = plane_of(env, info, NULL);
  if (b == NULL) return NULL;
  take_ctx t = {env, NULL, 0};
  CHECK(napi_create_array(env, &t.arr));
  if (logs_take(plane_logs(b->plane), take_one, &t) == 0) {
    napi_value nul;
    napi_get_null(env, &nul);
    return nul;
  }
  return t.arr;
}

static napi_value close_idle(napi_env env, napi_callback_info info) {
  binding_t *b = plane_of(env, info, NULL);
  if (b != NULL) plane_close_idle(b->plane);
  return NULL;
}

/* close(plane): every connection cut; returns the last log messages (as takeLogs). */
static napi_value close_all(napi_env env, napi_callback_info info) {
  binding_t *b = plane_of(env, info, NULL);
  if (b == NULL) return NULL;
  plane_close(b->plane); /* its memory lasts until libuv has closed its handles, on a later turn */
  take_ctx t = {env, NULL, 0};
  CHECK(napi_create_array(env, &t.arr));
  logs_take(plane_logs(b->plane), take_one, &t);
  b->plane = NULL;
  napi_delete_reference(env, b->handover);
  napi_async_destroy(env, b->async);
  return t.arr;
}

static napi_value connections(napi_env env, napi_callback_info info) {
  binding_t *b = plane_of(env, info, NULL);
  return b == NULL ? NULL : int_value(env, plane_connections(b->plane));
}

/* stats(plane): { accepted, requests, handedOver } since it started. */
static napi_value stats(napi_env env, napi_callback_info info) {
  binding_t *b = plane_of(env, info, NULL);
  if (b == NULL) return NULL;
  plane_stats_t s = plane_stats(b->plane);
  napi_value out, v;
  napi_create_object(env, &out);
  napi_create_double(env, (double)s.accepted, &v);
  napi_set_named_property(env, out, "accepted", v);
  napi_create_double(env, (double)s.requests, &v);
  napi_set_named_property(env, out, "requests", v);
  napi_create_double(env, (double)s.handed_over, &v);
  napi_set_named_property(env, out, "handedOver", v);
  return out;
}

/* ---- the pure parts, for the differential unit tests (test/native-http.unit.spec.ts) ---------- */

static long head_end(const char *p, size_t len, size_t *skip) {
  size_t k = 0;
  while (k + 1 < len && p[k] == '\r' && p[k + 1] == '\n') k += 2;
  *skip = k;
  for (size_t i = k; i + 3 < len; i++)
    if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' && p[i + 3] == '\n') return (long)(i - k);
  return -1;
}

static void set_num(napi_env env, napi_value o, const char *name, double v) {
  napi_value x;
  napi_create_double(env, v, &x);
  napi_set_named_property(env, o, name, x);
}

static void set_str(napi_env env, napi_value o, const char *name, const char *p, size_t n) {
  napi_value x;
  napi_create_string_latin1(env, p, n, &x);
  napi_set_named_property(env, o, name, x);
}

/*
 * rewriteRequest(bytes, client, port, receivedAt, generatedId): what the native plane would send
 * the dyno for this request head, or null when it would hand the connection over.
 */
static napi_value rewrite_request(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char *data;
  size_t len;
  CHECK(napi_get_buffer_info(env, argv[0], (void **)&data, &len));
  char *client = str(env, argv[1]), *generated = str(env, argv[4]);
  static req_head_t h;
  size_t skip;
  long end = head_end(data, len, &skip);
  napi_value out;
  napi_get_null(env, &out);
  if (end >= 0 && parse_request(data + skip, (int)end, &h)) {
    bytes_t fwd = {0}, head = {0};
    list_append(&fwd, &h, 3, client, strlen(client));
    int kept = h.request_id_count == 1 && request_id_ok(h.request_id);
    dyno_request_head(&head, &h, fwd.p, fwd.len, (int)num(env, argv[2]), (uint64_t)num(env, argv[3]),
                      kept ? h.request_id.p : generated, kept ? h.request_id.n : (int)strlen(generated));
    napi_create_object(env, &out);
    set_str(env, out, "head", head.p, head.len);
    set_str(env, out, "host", h.host.p, (size_t)h.host.n);
    set_num(env, out, "kind", h.kind);
    set_num(env, out, "length", (double)h.length);
    set_num(env, out, "close", h.close);
    b_free(&fwd);
    b_free(&head);
  }
  free(client);
  free(generated);
  return out;
}

/* rewriteResponse(bytes, headRequest, closeWanted): the head the client would get and the framing, or null (H13). */
static napi_value rewrite_response(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  char *data;
  size_t len;
  CHECK(napi_get_buffer_info(env, argv[0], (void **)&data, &len));
  bool head_request = false, close_wanted = false;
  napi_get_value_bool(env, argv[1], &head_request);
  napi_get_value_bool(env, argv[2], &close_wanted);
  size_t skip;
  long end = head_end(data, len, &skip);
  napi_value out;
  napi_get_null(env, &out);
  resp_head_t r;
  bytes_t head = {0};
  if (end >= 0 && skip == 0 && response_head(data, (int)end, head_request, close_wanted, &r, &head)) {
    napi_create_object(env, &out);
    set_str(env, out, "head", head.p, head.len);
    set_num(env, out, "status", r.status);
    set_num(env, out, "kind", r.kind);
    set_num(env, out, "length", (double)r.length);
    set_num(env, out, "keepAlive", r.dyno_keeps_alive);
    set_num(env, out, "interim", r.interim);
    set_num(env, out, "closeClient", r.close_client);
  }
  b_free(&head);
  return out;
}

/* chunkedEnds(bytes, cuts): chunked_feed over the pieces cut at `cuts`; [result of each feed..., data bytes]. */
static napi_value chunked_ends(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  unsigned char *data;
  size_t len;
  CHECK(napi_get_buffer_info(env, argv[0], (void **)&data, &len));
  chunked_t c;
  chunked_reset(&c);
  napi_value out;
  napi_create_array(env, &out);
  uint32_t n = length_of(env, argv[1]), k = 0;
  long from = 0;
  for (uint32_t i = 0; i <= n; i++) {
    long to = i < n ? (long)num(env, item(env, argv[1], i)) : (long)len;
    napi_value v;
    napi_create_double(env, (double)chunked_feed(&c, data, from, to), &v);
    napi_set_element(env, out, k++, v);
    from = to;
  }
  napi_value d;
  napi_create_double(env, (double)c.data, &d);
  napi_set_element(env, out, k, d);
  return out;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"start", NULL, start, NULL, NULL, NULL, napi_default, NULL},
      {"port", NULL, port_of, NULL, NULL, NULL, napi_default, NULL},
      {"listen", NULL, listen_fd, NULL, NULL, NULL, napi_default, NULL},
      {"setTable", NULL, set_table, NULL, NULL, NULL, napi_default, NULL},
      {"takeLogs", NULL, take_logs, NULL, NULL, NULL, napi_default, NULL},
      {"closeIdle", NULL, close_idle, NULL, NULL, NULL, napi_default, NULL},
      {"close", NULL, close_all, NULL, NULL, NULL, napi_default, NULL},
      {"connections", NULL, connections, NULL, NULL, NULL, napi_default, NULL},
      {"stats", NULL, stats, NULL, NULL, NULL, napi_default, NULL},
      {"rewriteRequest", NULL, rewrite_request, NULL, NULL, NULL, napi_default, NULL},
      {"rewriteResponse", NULL, rewrite_response, NULL, NULL, NULL, napi_default, NULL},
      {"chunkedEnds", NULL, chunked_ends, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof *props, props);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
