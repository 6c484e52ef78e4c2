/* Follows a chunked body to find its end (domain/chunked.ts, state for state; http.h). */
#include <string.h>

#include "http.h"

enum { C_SIZE, C_SIZE_OR_END, C_EXT, C_SIZE_LF, C_DATA, C_DATA_CR, C_DATA_LF, C_TRAILER_START, C_TRAILER, C_TRAILER_LF,
       C_FINAL_LF, C_DONE };
#define MAX_SIZE_DIGITS 15
#define MAX_LINE 8192

void chunked_reset(chunked_t *c) { memset(c, 0, sizeof *c); }

static int hex(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

long chunked_feed(chunked_t *s, const unsigned char *buf, long start, long end) {
  if (s->error) return -2;
  long i = start;
  while (i < end) {
    unsigned char c = buf[i];
    switch (s->state) {
      case C_DATA: {
        uint64_t left = (uint64_t)(end - i);
        uint64_t k = s->size < left ? s->size : left;
        s->size -= k;
        s->data += k;
        i += (long)k;
        if (s->size == 0) s->state = C_DATA_CR;
        continue;
      }
      case C_SIZE:
      case C_SIZE_OR_END: {
        int h = hex(c);
        if (h >= 0) {
          if (++s->digits > MAX_SIZE_DIGITS) goto fail;
          s->size = s->size * 16 + (uint64_t)h;
          s->state = C_SIZE_OR_END;
        } else if (s->state == C_SIZE) {
          goto fail;
        } else if (c == '\r') {
          s->state = C_SIZE_LF;
        } else if (c == ';' || c == ' ' || c == '\t') {
          s->state = C_EXT;
          s->line = 0;
        } else {
          goto fail;
        }
        break;
      }
      case C_EXT:
        if (c == '\r') s->state = C_SIZE_LF;
        else if (c == '\n' || c == 0 || ++s->line > MAX_LINE) goto fail;
        break;
      case C_SIZE_LF:
        if (c != '\n') goto fail;
        s->digits = 0;
        s->state = s->size == 0 ? C_TRAILER_START : C_DATA;
        break;
      case C_DATA_CR:
        if (c != '\r') goto fail;
        s->state = C_DATA_LF;
        break;
      case C_DATA_LF:
        if (c != '\n') goto fail;
        s->state = C_SIZE;
        s->size = 0;
        break;
      case C_TRAILER_START:
        if (c == '\r') s->state = C_FINAL_LF;
        else if (c == '\n' || c == ' ' || c == '\t') goto fail;
        else {
          s->state = C_TRAILER;
          s->line = 1;
        }
        break;
      case C_TRAILER:
        if (c == '\r') s->state = C_TRAILER_LF;
        else if (c == '\n' || c == 0 || ++s->line > MAX_LINE) goto fail;
        break;
      case C_TRAILER_LF:
        if (c != '\n') goto fail;
        s->state = C_TRAILER_START;
        break;
      case C_FINAL_LF:
        if (c != '\n') goto fail;
        s->state = C_DONE;
        return i + 1;
      default:
        return i;
    }
    i++;
  }
  return s->state == C_DONE ? end : -1;
fail:
  s->error = 1;
  return -2;
}
