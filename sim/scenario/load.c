/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The loader API: located errors, typed attribute readers, names,
 * references, claims and loaders' state while a scenario loads. */
#include "sim/scenario/load.h"

#include <math.h>
#include <string.h>

#include "sim/core/units.h"
#include "sim/net/addr.h"
#include "sim/net/link.h"
#include "sim/net/node.h"
#include "sim/scenario/scenario.h"

#define NAME_MAX_LEN 128
/* Coordinates and lengths beyond 100000 km are typos. */
#define DISTANCE_MAX 1e8
#define DISTANCE_MAX_TEXT "100000km"
#define SPEED_MAX 299792458.0
#define SPEED_MAX_TEXT "299792458m/s, the speed of light"

struct load__state {
  void *block;
  void (*clear)(void *state);
};

static void state_free(gpointer data) {
  struct load__state *st = data;
  if (st->clear)
    st->clear(st->block);
  g_free(st->block);
  g_free(st);
}

void load_ctx_init(struct load_ctx *ctx, const char *path, struct sim *sim) {
  *ctx = (struct load_ctx){.path = path, .sim = sim};
  for (size_t k = 0; k < G_N_ELEMENTS(ctx->names); k++)
    ctx->names[k] =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  ctx->claims = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify)g_hash_table_unref);
  ctx->states =
      g_hash_table_new_full(g_str_hash, g_str_equal, NULL, state_free);
}

void load_ctx_clear(struct load_ctx *ctx) {
  for (size_t k = 0; k < G_N_ELEMENTS(ctx->names); k++)
    g_clear_pointer(&ctx->names[k], g_hash_table_unref);
  g_clear_pointer(&ctx->claims, g_hash_table_unref);
  g_clear_pointer(&ctx->states, g_hash_table_unref);
}

/* ---- Located errors ---- */

void load_error_valist(GError **error, GQuark domain, int code,
                       const char *path, long line, const char *element,
                       const char *fmt, va_list ap) {
  g_autofree char *problem = g_strdup_vprintf(fmt, ap);
  g_set_error(error, domain, code, "%s:%ld: %s: %s", path, line, element,
              problem);
}

gboolean load_error(GError **error, const struct load_ctx *ctx,
                    const xmlNode *el, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  load_error_valist(error, MIPSIM_SCENARIO_ERROR, MIPSIM_SCENARIO_ERROR_INVALID,
                    ctx->path, xmlGetLineNo(el), (const char *)el->name, fmt,
                    ap);
  va_end(ap);
  return FALSE;
}

gboolean load_unknown(GError **error, const struct load_ctx *ctx,
                      const xmlNode *el) {
  return load_error(error, ctx, el,
                    "this element is in the schema but "
                    "this build of mipsim cannot load it");
}

/* ---- Attributes ---- */

char *load_attr(const xmlNode *el, const char *name) {
  xmlChar *v = xmlGetNoNsProp(el, (const xmlChar *)name);
  if (!v)
    return NULL;
  char *s = g_strdup((const char *)v);
  xmlFree(v);
  return s;
}

bool load_has_attr(const xmlNode *el, const char *name) {
  return xmlHasNsProp(el, (const xmlChar *)name, NULL) != NULL;
}

gboolean load_need(const struct load_ctx *ctx, const xmlNode *el,
                   const char *const *names, GError **error) {
  for (; *names; names++)
    if (!load_has_attr(el, *names))
      return load_error(error, ctx, el, "the %s attribute is missing", *names);
  return TRUE;
}

bool load_is_element(const xmlNode *el, const char *name) {
  return el->type == XML_ELEMENT_NODE &&
         strcmp((const char *)el->name, name) == 0;
}

gboolean load_no_children(const struct load_ctx *ctx, const xmlNode *el,
                          GError **error) {
  for (const xmlNode *c = el->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE)
      return load_unknown(error, ctx, c);
  return TRUE;
}

gboolean load_check_name(const struct load_ctx *ctx, const xmlNode *el,
                         const char *attr_name, const char *name,
                         GError **error) {
  gboolean ok = name[0] && (g_ascii_isalpha(name[0]) || name[0] == '_') &&
                strlen(name) <= NAME_MAX_LEN;
  for (const char *s = name + 1; ok && *s; s++)
    ok = g_ascii_isalnum(*s) || *s == '_' || *s == '.' || *s == '-';
  if (!ok)
    return load_error(error, ctx, el,
                      "%s '%s' is not a valid name (a letter or '_', then "
                      "letters, digits, '_', '.' or '-'; at most %d "
                      "characters)",
                      attr_name, name, NAME_MAX_LEN);
  return TRUE;
}

/* Turns the GError of a value parser into "ELEMENT: ATTR: message". */
static gboolean value_error(const struct load_ctx *ctx, const xmlNode *el,
                            const char *name, const GError *local,
                            GError **error) {
  return load_error(error, ctx, el, "%s: %s", name, local->message);
}

gboolean load_get_time(const struct load_ctx *ctx, const xmlNode *el,
                       const char *name, int64_t *out, GError **error) {
  g_autofree char *v = load_attr(el, name);
  g_autoptr(GError) local = NULL;
  if (v && !units_parse_time(v, out, &local))
    return value_error(ctx, el, name, local, error);
  return TRUE;
}

gboolean load_get_duration(const struct load_ctx *ctx, const xmlNode *el,
                           const char *name, int64_t *out, GError **error) {
  int64_t t = 0;
  if (!load_has_attr(el, name))
    return TRUE;
  if (!load_get_time(ctx, el, name, &t, error))
    return FALSE;
  if (t <= 0)
    return load_error(error, ctx, el, "%s: must be greater than zero", name);
  *out = t;
  return TRUE;
}

gboolean load_get_rate(const struct load_ctx *ctx, const xmlNode *el,
                       const char *name, uint64_t *out, GError **error) {
  g_autofree char *v = load_attr(el, name);
  g_autoptr(GError) local = NULL;
  if (v && !units_parse_rate(v, out, &local))
    return value_error(ctx, el, name, local, error);
  return TRUE;
}

gboolean load_get_size(const struct load_ctx *ctx, const xmlNode *el,
                       const char *name, uint64_t min, uint64_t max,
                       uint64_t *out, GError **error) {
  g_autofree char *v = load_attr(el, name);
  g_autoptr(GError) local = NULL;
  if (!v)
    return TRUE;
  if (!units_parse_size(v, out, &local))
    return value_error(ctx, el, name, local, error);
  if (*out < min || *out > max)
    return load_error(error, ctx, el,
                      "%s: '%s' is out of range (%" G_GUINT64_FORMAT
                      "B to %" G_GUINT64_FORMAT "B)",
                      name, v, min, max);
  return TRUE;
}

gboolean load_get_count(const struct load_ctx *ctx, const xmlNode *el,
                        const char *name, uint64_t min, uint64_t max,
                        uint64_t *out, GError **error) {
  g_autofree char *v = load_attr(el, name);
  g_autoptr(GError) local = NULL;
  if (!v)
    return TRUE;
  if (!units_parse_count(v, out, &local))
    return value_error(ctx, el, name, local, error);
  if (*out < min && max == UINT64_MAX)
    return load_error(error, ctx, el,
                      "%s: must be at least %" G_GUINT64_FORMAT ", not %s",
                      name, min, v);
  if (*out < min || *out > max)
    return load_error(error, ctx, el,
                      "%s: %s is out of range (%" G_GUINT64_FORMAT
                      " to %" G_GUINT64_FORMAT ")",
                      name, v, min, max);
  return TRUE;
}

gboolean load_get_probability(const struct load_ctx *ctx, const xmlNode *el,
                              const char *name, double *out, GError **error) {
  g_autofree char *v = load_attr(el, name);
  g_autoptr(GError) local = NULL;
  if (v && !units_parse_probability(v, out, &local))
    return value_error(ctx, el, name, local, error);
  return TRUE;
}

void load_get_bool(const xmlNode *el, const char *name, bool *out) {
  g_autofree char *v = load_attr(el, name);
  if (v)
    *out = strcmp(v, "true") == 0;
}

/* A quantity kept as a double, read by parse, of the allowed sign and at
 * most max in magnitude (max_text: the same in the user's units). */
static gboolean get_real(const struct load_ctx *ctx, const xmlNode *el,
                         const char *name,
                         gboolean (*parse)(const char *, double *, GError **),
                         enum load_sign sign, double max, const char *max_text,
                         double *out, GError **error) {
  g_autofree char *v = load_attr(el, name);
  g_autoptr(GError) local = NULL;
  double x;
  if (!v)
    return TRUE;
  if (!parse(v, &x, &local))
    return value_error(ctx, el, name, local, error);
  if (sign == LOAD_POSITIVE && !(x > 0))
    return load_error(error, ctx, el, "%s: must be greater than zero, not %s",
                      name, v);
  if (sign == LOAD_NOT_NEGATIVE && x < 0)
    return load_error(error, ctx, el, "%s: must not be negative, not %s", name,
                      v);
  if (fabs(x) > max)
    return sign == LOAD_ANY_SIGN ? load_error(error, ctx, el,
                                              "%s: %s is out of range (-%s to "
                                              "%s)",
                                              name, v, max_text, max_text)
                                 : load_error(error, ctx, el,
                                              "%s: %s is out of range (at "
                                              "most %s)",
                                              name, v, max_text);
  *out = x;
  return TRUE;
}

gboolean load_get_distance(const struct load_ctx *ctx, const xmlNode *el,
                           const char *name, enum load_sign sign, double *out,
                           GError **error) {
  return get_real(ctx, el, name, units_parse_distance, sign, DISTANCE_MAX,
                  DISTANCE_MAX_TEXT, out, error);
}

gboolean load_get_speed(const struct load_ctx *ctx, const xmlNode *el,
                        const char *name, enum load_sign sign, double *out,
                        GError **error) {
  return get_real(ctx, el, name, units_parse_speed, sign, SPEED_MAX,
                  SPEED_MAX_TEXT, out, error);
}

gboolean load_get_number(const struct load_ctx *ctx, const xmlNode *el,
                         const char *name, double *out, GError **error) {
  /* The parser refuses infinity. */
  return get_real(ctx, el, name, units_parse_number, LOAD_POSITIVE, INFINITY,
                  "", out, error);
}

gboolean load_get_v4(const struct load_ctx *ctx, const xmlNode *el,
                     const char *name, uint32_t *out, GError **error) {
  g_autofree char *v = load_attr(el, name);
  if (!v)
    return TRUE;
  struct ip_addr a;
  g_autoptr(GError) local = NULL;
  if (!addr_parse(v, &a, &local))
    return value_error(ctx, el, name, local, error);
  if (a.family != 4)
    return load_error(error, ctx, el, "%s: '%s' is not an IPv4 address", name,
                      v);
  *out = a.v4;
  return TRUE;
}

const char *load_family_name(int family) {
  return family == 6 ? "IPv6" : "IPv4";
}

static bool is_unicast(const struct ip_addr *a) {
  if (a->family == 4)
    return a->v4 != 0 && (a->v4 >> 28) != 0xe && a->v4 != 0xffffffffu &&
           (a->v4 >> 24) != 127;
  static const struct in6 unspecified = {{0}};
  static const struct in6 loopback = {{[15] = 1}};
  return a->v6.b[0] != 0xff && !in6_equal(&a->v6, &unspecified) &&
         !in6_equal(&a->v6, &loopback);
}

gboolean load_get_iface_addr(struct load_ctx *ctx, const xmlNode *el,
                             const char *name, int family, struct prefix *out,
                             GError **error) {
  g_autofree char *v = load_attr(el, name);
  g_autoptr(GError) local = NULL;
  struct prefix p;
  if (!v)
    return TRUE;
  if (!prefix_parse(v, &p, &local))
    return value_error(ctx, el, name, local, error);
  if (p.addr.family != family)
    return load_error(error, ctx, el, "%s: '%s' is an %s address", name, v,
                      load_family_name(p.addr.family));
  char text[ADDR_STRLEN];
  addr_format(&p.addr, text);
  if (p.len == 0)
    return load_error(error, ctx, el,
                      "%s: '%s': an interface prefix length "
                      "must be at least 1",
                      name, v);
  if (!is_unicast(&p.addr))
    return load_error(error, ctx, el, "%s: %s is not a unicast address", name,
                      text);
  /* The subnet's own address and its broadcast address are not host
   * addresses, except on /31 and /32 subnets (RFC 3021). */
  if (family == 4 && p.len <= 30) {
    uint32_t host = p.addr.v4 & ~v4_mask(p.len);
    if (host == 0 || host == ~v4_mask(p.len))
      return load_error(error, ctx, el,
                        "%s: %s is the %s address of its "
                        "subnet",
                        name, v, host == 0 ? "network" : "broadcast");
  }
  long line = load_claim(ctx, "addr", text, el);
  if (line)
    return load_error(error, ctx, el,
                      "%s: address %s is already used on "
                      "line %ld",
                      name, text, line);
  *out = p;
  return TRUE;
}

gboolean load_get_keyword(const struct load_ctx *ctx, const xmlNode *el,
                          const char *name, const struct load_keyword *table,
                          int *out, GError **error) {
  g_autofree char *v = load_attr(el, name);
  if (!v)
    return TRUE;
  size_t n = 0;
  for (; table[n].name; n++) {
    if (strcmp(v, table[n].name) == 0) {
      *out = table[n].value;
      return TRUE;
    }
  }
  if (n == 2)
    return load_error(error, ctx, el, "%s: '%s' is neither %s nor %s", name, v,
                      table[0].name, table[1].name);
  g_autoptr(GString) names = g_string_new(table[0].name);
  for (size_t i = 1; i < n; i++)
    g_string_append_printf(names, "%s%s", i + 1 < n ? ", " : " or ",
                           table[i].name);
  return load_error(error, ctx, el, "%s: '%s' is not one of %s", name, v,
                    names->str);
}

/* ---- Names and references ---- */

struct load_name *load_define(struct load_ctx *ctx, const xmlNode *el,
                              enum load_kind kind, const char *what,
                              GError **error) {
  if (!LOAD_NEED(ctx, el, error, "name"))
    return NULL;
  g_autofree char *name = load_attr(el, "name");
  if (!load_check_name(ctx, el, "name", name, error))
    return NULL;
  const struct load_name *old = load_lookup(ctx, kind, name);
  if (old) {
    load_error(error, ctx, el,
               "duplicate %s name '%s' (first defined on "
               "line %ld)",
               what, name, old->line);
    return NULL;
  }
  struct load_name *d = g_new0(struct load_name, 1);
  d->line = xmlGetLineNo(el);
  g_hash_table_insert(ctx->names[kind], g_steal_pointer(&name), d);
  return d;
}

void load_define_key(struct load_ctx *ctx, enum load_kind kind, const char *key,
                     void *obj, const xmlNode *el) {
  struct load_name *d = g_new0(struct load_name, 1);
  *d = (struct load_name){.obj = obj, .line = xmlGetLineNo(el)};
  g_hash_table_insert(ctx->names[kind], g_strdup(key), d);
}

const struct load_name *load_lookup(const struct load_ctx *ctx,
                                    enum load_kind kind, const char *name) {
  return name ? g_hash_table_lookup(ctx->names[kind], name) : NULL;
}

/* The object that attr names in kind; what: its kind in "there is no
 * WHAT named 'X'". */
static gboolean ref(const struct load_ctx *ctx, const xmlNode *el,
                    const char *attr, enum load_kind kind, const char *what,
                    void **out, GError **error) {
  if (!LOAD_NEED(ctx, el, error, attr))
    return FALSE;
  g_autofree char *name = load_attr(el, attr);
  const struct load_name *d = load_lookup(ctx, kind, name);
  if (!d)
    return load_error(error, ctx, el, "%s: there is no %s named '%s'", attr,
                      what, name);
  *out = d->obj;
  return TRUE;
}

gboolean load_node_ref(const struct load_ctx *ctx, const xmlNode *el,
                       const char *attr, struct node **out, GError **error) {
  return ref(ctx, el, attr, LOAD_NODE, "host or router", (void **)out, error);
}

gboolean load_link_ref(const struct load_ctx *ctx, const xmlNode *el,
                       const char *attr, struct link **out, GError **error) {
  return ref(ctx, el, attr, LOAD_LINK, "link or lan", (void **)out, error);
}

gboolean load_cell_ref(const struct load_ctx *ctx, const xmlNode *el,
                       const char *attr, struct cell **out, GError **error) {
  return ref(ctx, el, attr, LOAD_CELL, "cell", (void **)out, error);
}

gboolean load_radio_ref(const struct load_ctx *ctx, const xmlNode *el,
                        const char *attr, const struct node *node,
                        struct iface **out, GError **error) {
  if (!LOAD_NEED(ctx, el, error, attr))
    return FALSE;
  g_autofree char *name = load_attr(el, attr);
  g_autofree char *key = g_strdup_printf("%s/%s", node->name, name);
  const struct load_name *d = load_lookup(ctx, LOAD_RADIO, key);
  if (!d)
    return load_error(error, ctx, el, "%s: %s has no <wireless> named '%s'",
                      attr, node->name, name);
  *out = d->obj;
  return TRUE;
}

gboolean load_link_iface_ref(const struct load_ctx *ctx, const xmlNode *el,
                             const char *attr, struct node *node,
                             struct iface **out, GError **error) {
  struct link *link = NULL;
  if (!load_link_ref(ctx, el, attr, &link, error))
    return FALSE;
  *out = node_iface_on(node, link);
  if (!*out)
    return load_error(error, ctx, el, "%s: %s is not attached to %s", attr,
                      node->name, link->name);
  return TRUE;
}

/* ---- Claims ---- */

long load_claim(struct load_ctx *ctx, const char *ns, const char *key,
                const xmlNode *el) {
  GHashTable *keys = g_hash_table_lookup(ctx->claims, ns);
  if (!keys) {
    keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_hash_table_insert(ctx->claims, g_strdup(ns), keys);
  }
  gpointer line = g_hash_table_lookup(keys, key);
  if (line)
    return (long)GPOINTER_TO_SIZE(line);
  g_hash_table_insert(keys, g_strdup(key),
                      GSIZE_TO_POINTER((gsize)xmlGetLineNo(el)));
  return 0;
}

void load_claims_foreach(const struct load_ctx *ctx, const char *ns, GHFunc fn,
                         gpointer data) {
  GHashTable *keys = g_hash_table_lookup(ctx->claims, ns);
  if (keys)
    g_hash_table_foreach(keys, fn, data);
}

/* ---- Loaders' own state ---- */

void *load_state(struct load_ctx *ctx, const char *owner, size_t size,
                 void (*clear)(void *state)) {
  struct load__state *st = g_hash_table_lookup(ctx->states, owner);
  if (!st) {
    st = g_new0(struct load__state, 1);
    st->block = g_malloc0(size ? size : 1);
    st->clear = clear;
    g_hash_table_insert(ctx->states, (gpointer)owner, st);
  }
  return st->block;
}
