/* Route tables, log batches and the quarantine of the native data plane (see plane.h). */
#include <stdlib.h>
#include <string.h>

#include "plane.h"

/* ---- string map ------------------------------------------------------------------------- */

static uint32_t hash(const char *k, int n) {
  uint32_t h = 2166136261u;
  for (int i = 0; i < n; i++) h = (h ^ (unsigned char)k[i]) * 16777619u;
  return h;
}

void map_init(strmap_t *m) {
  m->cap = 16;
  m->count = 0;
  m->keys = calloc(m->cap, sizeof *m->keys);
  m->vals = calloc(m->cap, sizeof *m->vals);
}

int map_get(const strmap_t *m, const char *key, int n) {
  uint32_t mask = m->cap - 1;
  for (uint32_t i = hash(key, n) & mask;; i = (i + 1) & mask) {
    const char *k = m->keys[i];
    if (k == NULL) return -1;
    if ((int)strlen(k) == n && memcmp(k, key, (size_t)n) == 0) return m->vals[i];
  }
}

static void put(strmap_t *m, char *key, int val) {
  uint32_t mask = m->cap - 1;
  int n = (int)strlen(key);
  for (uint32_t i = hash(key, n) & mask;; i = (i + 1) & mask) {
    if (m->keys[i] == NULL) {
      m->keys[i] = key;
      m->vals[i] = val;
      m->count++;
      return;
    }
    if (strcmp(m->keys[i], key) == 0) {
      free(key);
      m->vals[i] = val;
      return;
    }
  }
}

void map_set(strmap_t *m, const char *key, int n, int val) {
  if ((m->count + 1) * 2 > m->cap) {
    strmap_t old = *m;
    m->cap *= 2;
    m->count = 0;
    m->keys = calloc(m->cap, sizeof *m->keys);
    m->vals = calloc(m->cap, sizeof *m->vals);
    for (uint32_t i = 0; i < old.cap; i++)
      if (old.keys[i] != NULL) put(m, old.keys[i], old.vals[i]);
    free(old.keys);
    free(old.vals);
  }
  char *k = malloc((size_t)n + 1);
  memcpy(k, key, (size_t)n);
  k[n] = 0;
  put(m, k, val);
}

void map_free(strmap_t *m) {
  for (uint32_t i = 0; i < m->cap; i++) free(m->keys[i]);
  free(m->keys);
  free(m->vals);
  m->keys = NULL;
  m->vals = NULL;
}

/* ---- route tables ------------------------------------------------------------------------ */

table_t *table_new(void) {
  table_t *t = calloc(1, sizeof *t);
  t->refs = 1;
  map_init(&t->by_name);
  map_init(&t->hostnames);
  return t;
}

void table_ref(table_t *t) { t->refs++; }

void table_unref(table_t *t) {
  if (t == NULL || --t->refs > 0) return;
  for (int i = 0; i < t->napps; i++) {
    app_t *a = &t->apps[i];
    for (int j = 0; j < a->n; j++) {
      free(a->dynos[j].id);
      free(a->dynos[j].name);
    }
    free(a->dynos);
    free(a->id);
    free(a->name);
  }
  free(t->apps);
  free(t->suffix);
  map_free(&t->by_name);
  map_free(&t->hostnames);
  free(t);
}

app_t *table_route(table_t *t, span_t value) {
  /* normalHost: without the port, lowercased, without a trailing dot */
  char host[256];
  int n = 0;
  if (value.n > 0 && value.p[0] == '[') return NULL; /* an IPv6 literal names no app */
  for (int i = 0; i < value.n && value.p[i] != ':'; i++) {
    if (n >= (int)sizeof host - 1) return NULL;
    char c = value.p[i];
    host[n++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
  }
  if (n > 0 && host[n - 1] == '.') n--;
  host[n] = 0;
  int sl = (int)strlen(t->suffix);
  if (n > sl && memcmp(host + n - sl, t->suffix, (size_t)sl) == 0) {
    int name = n - sl;
    if (memchr(host, '.', (size_t)name) == NULL) {
      int i = map_get(&t->by_name, host, name);
      return i < 0 ? NULL : &t->apps[i];
    }
  }
  if (t->hostnames.count == 0) return NULL;
  int i = map_get(&t->hostnames, host, n);
  if (i == -1) {
    char *dot = memchr(host, '.', (size_t)n);
    if (dot != NULL && dot > host) {
      dot[-1] = '*';
      i = map_get(&t->hostnames, dot - 1, (int)(host + n - dot + 1));
    }
  }
  return i < 0 ? NULL : &t->apps[i];
}

/* ---- log batches ------------------------------------------------------------------------- */

#define MESSAGE_LINES 100
#define MESSAGE_BYTES (256 * 1024)

int log_index(logs_t *l, const char *app_id) {
  if (l->ids.keys == NULL) map_init(&l->ids);
  int n = (int)strlen(app_id);
  int i = map_get(&l->ids, app_id, n);
  if (i >= 0) return i;
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 16;
    l->batches = realloc(l->batches, sizeof *l->batches * (size_t)l->cap);
  }
  memset(&l->batches[l->n], 0, sizeof *l->batches);
  l->batches[l->n].app_id = strdup(app_id);
  map_set(&l->ids, app_id, n, l->n);
  return l->n++;
}

static void seal(log_batch_t *b) {
  if (b->lines == 0) return;
  if (b->nsealed == b->capsealed) {
    b->capsealed = b->capsealed ? b->capsealed * 2 : 4;
    b->sealed = realloc(b->sealed, sizeof *b->sealed * (size_t)b->capsealed);
  }
  bytes_t msg = {0};
  if (b->lines == 1) {
    b_put(&msg, b->cur.p + 1, b->cur.len - 1); /* a lone line goes as the LogLine itself */
  } else {
    msg = b->cur;
    b->cur.p = NULL;
    b->cur.cap = 0;
    b_put(&msg, "]", 1);
  }
  b->sealed[b->nsealed++] = msg;
  b->cur.len = 0;
  b->lines = 0;
}

void log_line(logs_t *l, int log, const char *line, size_t len) {
  log_batch_t *b = &l->batches[log];
  if (b->lines > 0 && (b->lines >= MESSAGE_LINES || b->cur.len + len + 1 > MESSAGE_BYTES)) seal(b);
  b_put(&b->cur, b->lines == 0 ? "[" : ",", 1);
  b_put(&b->cur, line, len);
  b->lines++;
}

int logs_take(logs_t *l, log_sink sink, void *ctx) {
  int messages = 0;
  for (int i = 0; i < l->n; i++) {
    log_batch_t *b = &l->batches[i];
    seal(b);
    for (int j = 0; j < b->nsealed; j++) {
      sink(ctx, b->app_id, b->sealed[j].p, b->sealed[j].len);
      b_free(&b->sealed[j]);
      messages++;
    }
    b->nsealed = 0;
  }
  return messages;
}

/* ---- quarantine -------------------------------------------------------------------------- */

typedef struct {
  char *id;
  uint64_t until;
} held_t;

static held_t *held;
static int nheld, capheld;

void quarantine_add(const char *dyno_id, uint64_t now, uint64_t ms) {
  for (int i = 0; i < nheld;) { /* dynos gone for good must not pile up */
    if (held[i].until <= now) {
      free(held[i].id);
      held[i] = held[--nheld];
    } else {
      i++;
    }
  }
  for (int i = 0; i < nheld; i++) {
    if (strcmp(held[i].id, dyno_id) == 0) {
      held[i].until = now + ms;
      return;
    }
  }
  if (nheld == capheld) {
    capheld = capheld ? capheld * 2 : 8;
    held = realloc(held, sizeof *held * (size_t)capheld);
  }
  held[nheld].id = strdup(dyno_id);
  held[nheld].until = now + ms;
  nheld++;
}

int quarantined(const char *dyno_id, uint64_t now) {
  for (int i = 0; i < nheld; i++)
    if (held[i].until > now && strcmp(held[i].id, dyno_id) == 0) return 1;
  return 0;
}
