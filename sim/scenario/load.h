/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The small API that element loaders use: the loader context, located
 * errors, one family of typed attribute readers, references to named
 * nodes, links, cells and radios, and claims on addresses and ports. */
#ifndef MIPSIM_LOAD_H
#define MIPSIM_LOAD_H

#include <glib.h>
#include <libxml/tree.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sim;
struct node;
struct link;
struct cell;
struct iface;
struct prefix;

/* The namespaces of names.  A radio's name is "NODE/NAME". */
enum load_kind {
  LOAD_NODE,
  LOAD_LINK, /* links and LANs, and cells' channels */
  LOAD_CELL,
  LOAD_RADIO,
  LOAD_FLOW,
  LOAD_N_KINDS
};

/* What a scenario being loaded lends each element loader.  path and sim
 * are the loaders'; the rest belongs to load.c. */
struct load_ctx {
  const char *path; /* the scenario file, for error messages */
  struct sim *sim;
  /* Whether a child of <host> or <router> is loaded by another pass (a
   * protocol module's element, a kernel service): set by the document
   * walk. */
  bool (*elsewhere)(const struct load_ctx *ctx, const xmlNode *el);
  GHashTable *names[LOAD_N_KINDS]; /* name -> struct load_name */
  GHashTable *claims;              /* namespace -> key -> line, as a pointer */
  GHashTable *states;              /* owner -> struct load__state */
};

/* Initialises ctx for the file path and the run sim; load_ctx_clear
 * frees what the loaders left in it (not sim). */
void load_ctx_init(struct load_ctx *ctx, const char *path, struct sim *sim);
void load_ctx_clear(struct load_ctx *ctx);

/* ---- Located errors ---- */

/* The one formatter of located errors: sets error (domain, code) to
 * "PATH:LINE: ELEMENT: message". */
void load_error_valist(GError **error, GQuark domain, int code,
                       const char *path, long line, const char *element,
                       const char *fmt, va_list ap) G_GNUC_PRINTF(7, 0);
/* The same in MIPSIM_SCENARIO_ERROR_INVALID, naming ctx's file; returns
 * FALSE so that a loader can return it. */
gboolean load_error(GError **error, const struct load_ctx *ctx,
                    const xmlNode *el, const char *fmt, ...)
    G_GNUC_PRINTF(4, 5);
/* "this element is in the schema but this build of mipsim cannot load
 * it": el comes from a schema whose loader this build lacks. */
gboolean load_unknown(GError **error, const struct load_ctx *ctx,
                      const xmlNode *el);

/* ---- Attributes ----
 * Every load_get_* reads an optional attribute: absent, it leaves *out
 * at the default the caller put there and succeeds.  Errors name file,
 * line, element and attribute.  Readers use only ctx->path, so a context
 * that has only a path will do. */

/* The attribute's value, or NULL if absent.  Transfer full. */
char *load_attr(const xmlNode *el, const char *name);
bool load_has_attr(const xmlNode *el, const char *name);
/* Fails naming the first of the NULL-terminated names that el lacks: the
 * schema requires them, but a looser schema in MIPSIM_SCHEMA_DIR must
 * not crash the loader. */
gboolean load_need(const struct load_ctx *ctx, const xmlNode *el,
                   const char *const *names, GError **error);
#define LOAD_NEED(ctx, el, error, ...)                                         \
  load_need(ctx, el, (const char *const[]){__VA_ARGS__, NULL}, error)
/* Whether el is an element named name. */
bool load_is_element(const xmlNode *el, const char *name);
/* Fails with load_unknown on el's first child element: for elements that
 * have none in our schema. */
gboolean load_no_children(const struct load_ctx *ctx, const xmlNode *el,
                          GError **error);

/* A name (of a node, link, flow...): it ends up in file names and random
 * stream names, so a letter or '_', then letters, digits, '_', '.' or
 * '-'; at most 128 characters. */
gboolean load_check_name(const struct load_ctx *ctx, const xmlNode *el,
                         const char *attr_name, const char *name,
                         GError **error);
/* A time ("10ms"), zero or more. */
gboolean load_get_time(const struct load_ctx *ctx, const xmlNode *el,
                       const char *name, int64_t *out, GError **error);
/* A time greater than zero. */
gboolean load_get_duration(const struct load_ctx *ctx, const xmlNode *el,
                           const char *name, int64_t *out, GError **error);
/* A rate in bits per second ("10Mbps"). */
gboolean load_get_rate(const struct load_ctx *ctx, const xmlNode *el,
                       const char *name, uint64_t *out, GError **error);
/* A size in [min, max] bytes ("1500B", "64KiB"). */
gboolean load_get_size(const struct load_ctx *ctx, const xmlNode *el,
                       const char *name, uint64_t min, uint64_t max,
                       uint64_t *out, GError **error);
/* A whole number in [min, max]. */
gboolean load_get_count(const struct load_ctx *ctx, const xmlNode *el,
                        const char *name, uint64_t min, uint64_t max,
                        uint64_t *out, GError **error);
/* A probability from 0 to 1. */
gboolean load_get_probability(const struct load_ctx *ctx, const xmlNode *el,
                              const char *name, double *out, GError **error);
/* "true" or "false" (the schema checks which; anything else is false). */
void load_get_bool(const xmlNode *el, const char *name, bool *out);

/* Which signs a distance or speed may have. */
enum load_sign { LOAD_ANY_SIGN, LOAD_NOT_NEGATIVE, LOAD_POSITIVE };
/* A distance in metres ("5km"), at most 100000km in magnitude. */
gboolean load_get_distance(const struct load_ctx *ctx, const xmlNode *el,
                           const char *name, enum load_sign sign, double *out,
                           GError **error);
/* A speed in metres per second ("3m/s", "50km/h"), at most that of
 * light. */
gboolean load_get_speed(const struct load_ctx *ctx, const xmlNode *el,
                        const char *name, enum load_sign sign, double *out,
                        GError **error);
/* A number without unit, greater than zero and finite. */
gboolean load_get_number(const struct load_ctx *ctx, const xmlNode *el,
                         const char *name, double *out, GError **error);
/* An IPv4 address. */
gboolean load_get_v4(const struct load_ctx *ctx, const xmlNode *el,
                     const char *name, uint32_t *out, GError **error);
/* An interface address with its prefix length ("10.0.0.1/24") of family
 * (4 or 6): unicast, not the network or broadcast address of an IPv4
 * subnet, and claimed by no other interface (ctx must be a whole
 * context). */
gboolean load_get_iface_addr(struct load_ctx *ctx, const xmlNode *el,
                             const char *name, int family, struct prefix *out,
                             GError **error);

/* A keyword and its value; tables end with { NULL, 0 }. */
struct load_keyword {
  const char *name;
  int value;
};
/* One of table's keywords; *out takes its value. */
gboolean load_get_keyword(const struct load_ctx *ctx, const xmlNode *el,
                          const char *name, const struct load_keyword *table,
                          int *out, GError **error);

/* "IPv4" or "IPv6", for messages. */
const char *load_family_name(int family);

/* Seconds, for messages. */
static inline double load_seconds(int64_t ns) {
  return (double)ns / 1e9;
}

/* ---- Names and references ---- */

/* Where a name was defined, and what it names. */
struct load_name {
  void *obj;
  long line;
};

/* Defines the name attribute of el in the namespace kind ("node",
 * "link"... in messages: what); the caller fills in obj.  NULL and an
 * error if the name is missing, malformed or taken. */
struct load_name *load_define(struct load_ctx *ctx, const xmlNode *el,
                              enum load_kind kind, const char *what,
                              GError **error);
/* Defines key in kind for obj, defined by el, without checks. */
void load_define_key(struct load_ctx *ctx, enum load_kind kind, const char *key,
                     void *obj, const xmlNode *el);
/* The definition of name in kind, or NULL. */
const struct load_name *load_lookup(const struct load_ctx *ctx,
                                    enum load_kind kind, const char *name);

/* The node, link or lan (cells' channels included) or cell that the
 * attribute attr names; FALSE and a located error ("there is no host or
 * router named 'X'") if there is none or the attribute is absent.  Names
 * of each kind are all known before anything refers to them. */
gboolean load_node_ref(const struct load_ctx *ctx, const xmlNode *el,
                       const char *attr, struct node **out, GError **error);
gboolean load_link_ref(const struct load_ctx *ctx, const xmlNode *el,
                       const char *attr, struct link **out, GError **error);
gboolean load_cell_ref(const struct load_ctx *ctx, const xmlNode *el,
                       const char *attr, struct cell **out, GError **error);
/* The radio of node that attr names ("N has no <wireless> named 'X'"). */
gboolean load_radio_ref(const struct load_ctx *ctx, const xmlNode *el,
                        const char *attr, const struct node *node,
                        struct iface **out, GError **error);
/* The interface of node on the link that attr names ("N is not attached
 * to L"). */
gboolean load_link_iface_ref(const struct load_ctx *ctx, const xmlNode *el,
                             const char *attr, struct node *node,
                             struct iface **out, GError **error);

/* ---- Claims ----
 * One element at a time may hold a key of a namespace: an interface
 * address ("addr"), a route of a node ("route"), a port of a flow sink
 * ("port"). */

/* Claims key in ns for el; 0 if it was free, else the line of the
 * element that holds it (and el does not get it). */
long load_claim(struct load_ctx *ctx, const char *ns, const char *key,
                const xmlNode *el);
/* Calls fn(key, line as a pointer, data) for every key of ns. */
void load_claims_foreach(const struct load_ctx *ctx, const char *ns, GHFunc fn,
                         gpointer data);

/* ---- Loaders' own state ---- */

/* The block of size bytes that owner (a loader's name) keeps for the
 * rest of the load, allocated zeroed the first time; clear (may be NULL)
 * frees what it points to when the load ends. */
void *load_state(struct load_ctx *ctx, const char *owner, size_t size,
                 void (*clear)(void *state));

/* ---- The kernel's element loaders ----
 * Each is defined beside what it configures (<concept>-load.c) and loads
 * one element el of the scenario into ctx->sim; the document walk
 * (scenario.c) calls them in passes. */

/* IPv6 needs links of at least this MTU (RFC 8200). */
#define LOAD_IPV6_MIN_MTU 1280

gboolean results_load_record(struct load_ctx *ctx, xmlNode *el, GError **error);
gboolean route_load_routing(struct load_ctx *ctx, xmlNode *el, GError **error);
gboolean route_load_route(struct load_ctx *ctx, xmlNode *el, GError **error);
gboolean node_load_node(struct load_ctx *ctx, xmlNode *el, GError **error);
/* <link> and <lan>. */
gboolean link_load_link(struct load_ctx *ctx, xmlNode *el, GError **error);
/* bandwidth, delay, mtu and queue of a link or cell; mtu and queue keep
 * the caller's defaults when absent. */
gboolean link_load_params(struct load_ctx *ctx, const xmlNode *el,
                          uint64_t *bps, int64_t *delay, uint64_t *mtu,
                          uint64_t *queue, GError **error);
/* An <end>, <attach> or <ap>: an interface of a node on link;
 * *has_ipv6 becomes true if it has an IPv6 address. */
gboolean link_load_iface(struct load_ctx *ctx, xmlNode *el, struct link *link,
                         bool *has_ipv6, GError **error);
/* Loads a loss model that only some links have from el into link. */
typedef gboolean (*link_load_model_fn)(struct load_ctx *ctx, xmlNode *el,
                                       struct link *link, GError **error);
/* A <loss> of link; distance loads the distance model (NULL: link has
 * none, as only cells do). */
gboolean link_load_loss(struct load_ctx *ctx, xmlNode *el, struct link *link,
                        link_load_model_fn distance, GError **error);
gboolean cell_load_cell(struct load_ctx *ctx, xmlNode *el, GError **error);
/* The movement, radios and moves of a <host>. */
gboolean mobility_load_host(struct load_ctx *ctx, xmlNode *el, GError **error);
/* The <dhcp-server> and <dhcp-client> of a <host> or <router>. */
gboolean dhcp_load_node(struct load_ctx *ctx, xmlNode *el, GError **error);
/* <cbr> and <onoff>, <ping>, <tcp-bulk>, <tcp-rr>. */
gboolean traffic_load_cbr(struct load_ctx *ctx, xmlNode *el, GError **error);
gboolean traffic_load_ping(struct load_ctx *ctx, xmlNode *el, GError **error);
gboolean traffic_load_tcp_bulk(struct load_ctx *ctx, xmlNode *el,
                               GError **error);
gboolean traffic_load_tcp_rr(struct load_ctx *ctx, xmlNode *el, GError **error);
gboolean fault_load_fault(struct load_ctx *ctx, xmlNode *el, GError **error);

#endif
