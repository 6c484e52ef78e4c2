/* Strict HTTP/1.1 heads, their rewrites and chunked framing for the native data plane (see http.h). */
#include "http.h"

#include <stdlib.h>
#include <string.h>

/* tchar of RFC 9110. */
static int tchar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return 1;
  switch (c) {
    case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-': case '.':
    case '^': case '_': case '`': case '|': case '~':
      return 1;
    default:
      return 0;
  }
}

static int lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* Whether s equals the lowercase word w, ignoring case. */
static int is(span_t s, const char *w) {
  int n = (int)strlen(w);
  if (s.n != n) return 0;
  for (int i = 0; i < n; i++)
    if (lower((unsigned char)s.p[i]) != w[i]) return 0;
  return 1;
}

static int starts(span_t s, const char *w) {
  int n = (int)strlen(w);
  if (s.n < n) return 0;
  span_t head = {s.p, n};
  return is(head, w);
}

static int same(span_t a, span_t b) {
  if (a.n != b.n) return 0;
  for (int i = 0; i < a.n; i++)
    if (lower((unsigned char)a.p[i]) != lower((unsigned char)b.p[i])) return 0;
  return 1;
}

static int crlf(const char *t, int from, int n) {
  for (int i = from; i + 1 < n; i++)
    if (t[i] == '\r' && t[i + 1] == '\n') return i;
  return n;
}

static span_t trim(const char *p, int n) {
  while (n > 0 && (p[0] == ' ' || p[0] == '\t')) p++, n--;
  while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
  span_t s = {p, n};
  return s;
}

/* Calls each(token) for the comma-separated, trimmed, non-empty tokens of v; stops at the first nonzero return. */
#define FOR_TOKENS(v, tok, body)                                        \
  do {                                                                  \
    int _s = 0;                                                         \
    for (int _i = 0; _i <= (v).n; _i++) {                               \
      if (_i < (v).n && (v).p[_i] != ',') continue;                    \
      span_t tok = trim((v).p + _s, _i - _s);                           \
      _s = _i + 1;                                                      \
      if (tok.n == 0) continue;                                         \
      body                                                              \
    }                                                                   \
  } while (0)

static int digits(span_t v, uint64_t *out) {
  if (v.n < 1 || v.n > 15) return 0;
  uint64_t n = 0;
  for (int i = 0; i < v.n; i++) {
    if (v.p[i] < '0' || v.p[i] > '9') return 0;
    n = n * 10 + (uint64_t)(v.p[i] - '0');
  }
  *out = n;
  return 1;
}

enum { KEEP = 0, DROP = 1, VIA = 2, XFF = 3 };

int request_id_ok(span_t v) {
  if (v.n < 1 || v.n > 200) return 0;
  for (int i = 0; i < v.n; i++) {
    unsigned char c = (unsigned char)v.p[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '+' || c == '=' ||
          c == '/' || c == '_' || c == '-'))
      return 0;
  }
  return 1;
}

int parse_request(const char *t, int n, req_head_t *h) {
  h->n = 0;
  h->host.p = NULL;
  h->host.n = 0;
  h->kind = NO_BODY;
  h->length = 0;
  h->close = 0;
  h->request_id.p = NULL;
  h->request_id.n = 0;
  h->request_id_count = 0;
  int eol = crlf(t, 0, n);
  if (eol > LIMIT_REQUEST_LINE) return 0;
  int i = 0;
  while (i < eol && tchar((unsigned char)t[i])) i++;
  if (i == 0 || i >= eol || t[i] != ' ') return 0;
  h->method.p = t;
  h->method.n = i;
  if (i == 7 && memcmp(t, "CONNECT", 7) == 0) return 0;
  int ts = ++i;
  if (ts >= eol || t[ts] != '/') return 0;
  while (i < eol && t[i] != ' ') {
    unsigned char c = (unsigned char)t[i];
    if (c < 0x21 || c > 0x7e || c == '"' || c == '\\') return 0;
    i++;
  }
  h->target.p = t + ts;
  h->target.n = i - ts;
  if (eol - i != 9 || memcmp(t + i, " HTTP/1.1", 9) != 0) return 0;

  int hosts = 0, lengths = 0, codings = 0;
  int pos = eol + 2;
  while (pos < n) {
    int end = crlf(t, pos, n);
    if (h->n >= MAX_HEADERS) return 0;
    int j = pos;
    while (j < end && tchar((unsigned char)t[j])) j++;
    if (j == pos || j >= end || t[j] != ':' || j - pos > LIMIT_HEADER_NAME) return 0;
    span_t name = {t + pos, j - pos};
    span_t value = trim(t + j + 1, end - j - 1);
    if (value.n > LIMIT_HEADER_VALUE) return 0;
    for (int k = 0; k < value.n; k++) {
      unsigned char c = (unsigned char)value.p[k];
      if (c != '\t' && (c < 0x20 || c > 0x7e)) return 0;
    }
    uint8_t role = KEEP;
    switch (name.n) {
      case 2:
        if (is(name, "te")) role = DROP;
        break;
      case 3:
        if (is(name, "via")) role = VIA;
        break;
      case 4:
        if (is(name, "host")) {
          hosts++;
          h->host = value;
        }
        break;
      case 6:
        if (is(name, "expect")) return 0;
        break;
      case 7:
        if (is(name, "upgrade")) return 0;
        if (is(name, "trailer")) role = DROP;
        break;
      case 10:
        if (is(name, "keep-alive")) role = DROP;
        else if (is(name, "connection")) {
          role = DROP;
          int other = 0;
          FOR_TOKENS(value, tok, {
            if (is(tok, "close")) h->close = 1;
            else if (!is(tok, "keep-alive")) other = 1;
          });
          if (other) return 0; /* a Connection naming headers: the TypeScript plane drops them */
        }
        break;
      case 12:
        if (is(name, "x-request-id")) {
          role = DROP;
          h->request_id = value;
          h->request_id_count++;
        }
        break;
      case 14:
        if (is(name, "content-length")) {
          lengths++;
          if (!digits(value, &h->length)) return 0;
        }
        break;
      case 15:
        if (is(name, "x-forwarded-for")) {
          role = XFF;
          for (int k = 0; k < value.n; k++)
            if (value.p[k] == '"' || value.p[k] == '\\') return 0;
        } else if (is(name, "x-request-start")) role = DROP;
        break;
      case 16:
        if (is(name, "x-forwarded-port")) role = DROP;
        break;
      case 17:
        if (is(name, "x-forwarded-proto")) role = DROP;
        else if (is(name, "transfer-encoding")) {
          role = DROP;
          codings++;
          if (!is(value, "chunked")) return 0;
        }
        break;
    }
    if (role == KEEP && starts(name, "proxy-")) role = DROP;
    h->name[h->n] = name;
    h->value[h->n] = value;
    h->role[h->n] = role;
    h->n++;
    pos = end + 2;
  }
  if (hosts != 1 || h->host.n == 0 || lengths > 1 || codings > 1 || (lengths && codings)) return 0;
  for (int k = 0; k < h->host.n; k++) {
    unsigned char c = (unsigned char)h->host.p[k];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '-' ||
          c == ':' || c == '[' || c == ']' || c == '_'))
      return 0;
  }
  if (codings) h->kind = CHUNKED;
  else if (lengths && h->length > 0) h->kind = LENGTH;
  return 1;
}

void list_append(bytes_t *out, const req_head_t *h, int role, const char *last, size_t last_len) {
  int first = 1;
  for (int i = 0; i < h->n; i++) {
    if (h->role[i] != role) continue;
    span_t v = h->value[i];
    FOR_TOKENS(v, tok, {
      if (!first) b_put(out, ", ", 2);
      b_put(out, tok.p, (size_t)tok.n);
      first = 0;
    });
  }
  if (!first) b_put(out, ", ", 2);
  b_put(out, last, last_len);
}

static const char VIA_SELF[] = "1.1 paas-router";

void dyno_request_head(bytes_t *out, const req_head_t *h, const char *fwd, size_t fwd_len, int router_port,
                       uint64_t received_at, const char *rid, int rid_len) {
  b_reserve(out, 512);
  b_put(out, h->method.p, (size_t)h->method.n);
  b_put(out, " ", 1);
  b_put(out, h->target.p, (size_t)h->target.n);
  b_put(out, " HTTP/1.1\r\n", 11);
  for (int i = 0; i < h->n; i++) {
    if (h->role[i] != KEEP) continue;
    b_put(out, h->name[i].p, (size_t)h->name[i].n);
    b_put(out, ": ", 2);
    b_put(out, h->value[i].p, (size_t)h->value[i].n);
    b_put(out, "\r\n", 2);
  }
  b_put(out, "X-Forwarded-For: ", 17);
  b_put(out, fwd, fwd_len);
  b_puts(out, "\r\nX-Forwarded-Proto: http\r\nX-Forwarded-Port: ");
  b_putu(out, (uint64_t)router_port);
  b_puts(out, "\r\nX-Request-Start: ");
  b_putu(out, received_at);
  b_puts(out, "\r\nX-Request-Id: ");
  b_put(out, rid, (size_t)rid_len);
  b_puts(out, "\r\nVia: ");
  list_append(out, h, VIA, VIA_SELF, sizeof VIA_SELF - 1);
  b_put(out, "\r\n", 2);
  if (h->kind == CHUNKED) b_puts(out, "Transfer-Encoding: chunked\r\n");
  b_put(out, "\r\n", 2);
}

/* Response heads: headers kept in these (one response head is read at a time). */
#define MAX_RESPONSE_HEADERS 1000 /* http-head.ts MAX_RESPONSE_HEADERS: more is H13 in both planes */
#define MAX_NAMED 64
static span_t r_name[MAX_RESPONSE_HEADERS], r_value[MAX_RESPONSE_HEADERS];
static span_t r_named[MAX_NAMED];

int response_head(const char *t, int n, int head_request, int close_wanted, resp_head_t *r, bytes_t *out) {
  int eol = crlf(t, 0, n);
  if (eol < 12) return 0;
  if (memcmp(t, "HTTP/1.1 ", 9) == 0) r->minor = 1;
  else if (memcmp(t, "HTTP/1.0 ", 9) == 0) r->minor = 0;
  else return 0;
  if (t[9] < '1' || t[9] > '9' || t[10] < '0' || t[10] > '9' || t[11] < '0' || t[11] > '9') return 0;
  r->status = (t[9] - '0') * 100 + (t[10] - '0') * 10 + (t[11] - '0');
  if (eol > 12 && t[12] != ' ') return 0;
  for (int i = 0; i < eol; i++)
    if (t[i] == '\r' || t[i] == '\n' || t[i] == '\0') return 0;
  r->reason.p = t + 13;
  r->reason.n = eol > 13 ? eol - 13 : 0;
  if (r->status == 101) return 0;

  int count = 0, named = 0, has_close = 0, has_keep_alive = 0;
  int has_te = 0, te_chunked = 0, has_cl = 0, cl_ok = 1;
  uint64_t cl = 0;
  int pos = eol + 2;
  while (pos < n) {
    int end = crlf(t, pos, n);
    if (t[pos] == ' ' || t[pos] == '\t') return 0;
    int j = pos;
    while (j < end && t[j] != ':') j++;
    if (j >= end || j == pos) return 0;
    for (int k = pos; k < j; k++)
      if (!tchar((unsigned char)t[k])) return 0;
    span_t name = {t + pos, j - pos};
    span_t value = trim(t + j + 1, end - j - 1);
    for (int k = 0; k < value.n; k++)
      if (value.p[k] == '\r' || value.p[k] == '\n' || value.p[k] == '\0') return 0;
    if (count >= MAX_RESPONSE_HEADERS) return 0;
    r_name[count] = name;
    r_value[count] = value;
    count++;
    if (is(name, "connection")) {
      FOR_TOKENS(value, tok, {
        if (is(tok, "close")) has_close = 1;
        else if (is(tok, "keep-alive")) has_keep_alive = 1;
        else if (named < MAX_NAMED) r_named[named++] = tok;
        else return 0;
      });
    } else if (is(name, "transfer-encoding")) {
      has_te = 1;
      FOR_TOKENS(value, tok, { te_chunked = is(tok, "chunked"); });
    } else if (is(name, "content-length")) {
      /* Every comma-separated part (empty ones too) must be the same number (http-head.ts contentLength). */
      int from = 0;
      for (int k = 0; k <= value.n; k++) {
        if (k < value.n && value.p[k] != ',') continue;
        uint64_t v = 0;
        if (!digits(trim(value.p + from, k - from), &v) || (has_cl && v != cl)) cl_ok = 0;
        cl = v;
        has_cl = 1;
        from = k + 1;
      }
    }
    pos = end + 2;
  }
  r->interim = r->status < 200;
  r->dyno_keeps_alive = !has_close && (r->minor == 1 || has_keep_alive);
  if (head_request || r->status < 200 || r->status == 204 || r->status == 304) r->kind = NO_BODY;
  else if (has_te) r->kind = te_chunked ? CHUNKED : UNTIL_CLOSE;
  else if (!has_cl) r->kind = UNTIL_CLOSE;
  else if (!cl_ok) return 0;
  else r->kind = cl == 0 ? NO_BODY : LENGTH;
  r->length = r->kind == LENGTH ? cl : 0;
  r->close_client = !r->interim && (close_wanted || r->kind == UNTIL_CLOSE);
  int chunked = r->kind == CHUNKED && !r->interim;

  b_reserve(out, (size_t)n + 64);
  b_put(out, "HTTP/1.1 ", 9);
  b_put(out, t + 9, 3);
  b_put(out, " ", 1);
  b_put(out, r->reason.p, (size_t)r->reason.n);
  b_put(out, "\r\n", 2);
  int vias = 0;
  for (int i = 0; i < count; i++) {
    span_t name = r_name[i];
    int drop = 0;
    switch (name.n) {
      case 2: drop = is(name, "te"); break;
      case 3: if (is(name, "via")) { vias++; drop = 1; } break;
      case 7: drop = is(name, "trailer") || is(name, "upgrade"); break;
      case 10: drop = is(name, "connection") || is(name, "keep-alive"); break;
      case 14: drop = chunked && is(name, "content-length"); break;
      case 17: drop = !chunked && is(name, "transfer-encoding"); break;
    }
    if (!drop && starts(name, "proxy-")) drop = 1;
    for (int k = 0; !drop && k < named; k++) drop = same(name, r_named[k]);
    if (drop) continue;
    b_put(out, name.p, (size_t)name.n);
    b_put(out, ": ", 2);
    b_put(out, r_value[i].p, (size_t)r_value[i].n);
    b_put(out, "\r\n", 2);
  }
  b_put(out, "Via: ", 5);
  int first = 1;
  for (int i = 0; vias > 0 && i < count; i++) {
    if (!is(r_name[i], "via")) continue;
    FOR_TOKENS(r_value[i], tok, {
      if (!first) b_put(out, ", ", 2);
      b_put(out, tok.p, (size_t)tok.n);
      first = 0;
    });
  }
  if (!first) b_put(out, ", ", 2);
  b_put(out, VIA_SELF, sizeof VIA_SELF - 1);
  b_put(out, "\r\n", 2);
  if (r->close_client) b_puts(out, "Connection: close\r\n");
  b_put(out, "\r\n", 2);
  return 1;
}

