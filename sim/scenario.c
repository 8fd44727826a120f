/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The scenario loader: parses and validates a scenario file with libxml2,
 * then checks every value and builds the struct sim it describes. */
#include "scenario.h"

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <limits.h>
#include <math.h>
#include <string.h>

/* sim.h first: iface.h uses struct pkt without declaring it. */
#include "sim.h"

#include "addr.h"
#include "cell.h"
#include "dhcp.h"
#include "eth.h"
#include "iface.h"
#include "link.h"
#include "mobility.h"
#include "module.h"
#include "node.h"
#include "radio.h"
#include "route.h"
#include "traffic.h"
#include "units.h"

/* Without the -D flags of Makefile.am (a lone compile), fall back to the
 * default autotools prefix rather than refusing to build. */
#ifndef MIPSIM_SCHEMA_DIR
#define MIPSIM_SCHEMA_DIR "/usr/local/share/mipsim/scenarios"
#endif

#define SCHEMA_FILE "mipsim.rng"
#define NAME_MAX_LEN 128
#define MTU_MIN 68
#define MTU_MAX 65535
#define IPV6_MIN_MTU 1280
/* Every sending interface may queue this many frames; the bound keeps a
 * typo from asking for gigabytes of queue. */
#define QUEUE_MAX 1000000
/* Flows with ports take 40000 on: Wireshark decodes some lower ports as
 * other protocols (5000 as TAPA) and would call our packets malformed. */
#define DEFAULT_PORT 40000
#define DEFAULT_CBR_SIZE 512
#define DEFAULT_PING_SIZE 56
#define DEFAULT_TTL 64
#define PING_MIN_SIZE 8
/* Largest UDP payload or echo data that fits one IP datagram (without
 * IPv6 jumbograms): 65535 less the IPv4 header, or the IPv6 payload
 * length less the 8-byte UDP / ICMPv6 header. */
#define MAX_PAYLOAD_V4 (65535 - 20 - 8)
#define MAX_PAYLOAD_V6 (65535 - 8)
/* Coordinates and lengths beyond 100000 km are typos. */
#define DISTANCE_MAX 1e8
#define DISTANCE_MAX_TEXT "100000km"
#define SPEED_MAX 299792458.0
#define SPEED_MAX_TEXT "299792458m/s, the speed of light"
/* A movement leg, a pause or a layer-2 handoff longer than about 32 years
 * is a typo; the bound also keeps the kernel's sums of times within 64
 * bits. */
#define MOVE_TIME_MAX (1000000000 * SIM_S)
#define MOVE_TIME_MAX_TEXT "1e9s (about 32 years)"
/* A time series or position trace of more samples than this per flow or
 * node would take gigabytes: a typo in bin or positions. */
#define SAMPLES_MAX 1000000

G_DEFINE_QUARK(mipsim-scenario-error-quark, mipsim_scenario_error)

/* ------------------------------------------------------------------------
 * Reading and validating the XML
 * ------------------------------------------------------------------------ */

/* The first error libxml2 reports.  Errors without a line (some RelaxNG
 * interleave errors) are kept only until one with a line arrives, because
 * the located error that follows is the one a user can act on. */
struct first_error {
  char *message;
  long line;
  int domain, code;
};

static void first_error_clear(struct first_error *fe) {
  g_clear_pointer(&fe->message, g_free);
}

static void first_error_set(struct first_error *fe, const char *message,
                            long line, int domain, int code) {
  if (fe->message && (fe->line > 0 || line <= 0))
    return;
  g_free(fe->message);
  fe->message = g_strchomp(g_strdup(message ? message : "unknown error"));
  fe->line = line;
  fe->domain = domain;
  fe->code = code;
}

static void collect_error(void *data, xmlErrorPtr e) {
  if (e->level < XML_ERR_ERROR)
    return;
  first_error_set(data, e->message, e->line, e->domain, e->code);
}

/* A parser context reports to its sax->serror with the context itself as
 * data (ctxt->userData, which the SAX2 handlers need), so the collector
 * travels in ctxt->_private. */
static void collect_parser_error(void *data, xmlErrorPtr e) {
  xmlParserCtxtPtr ctxt = data;
  collect_error(ctxt->_private, e);
}

/* A scenario has no use for a DTD, and refusing one rules out entity
 * expansion (billion laughs, external entities) altogether. */
static void refuse_internal_subset(void *data,
                                   G_GNUC_UNUSED const xmlChar *name,
                                   G_GNUC_UNUSED const xmlChar *external_id,
                                   G_GNUC_UNUSED const xmlChar *system_id) {
  xmlParserCtxtPtr ctxt = data;
  first_error_set(ctxt->_private,
                  "DOCTYPE declarations are not allowed in mipsim files",
                  ctxt->input ? ctxt->input->line : 0, XML_FROM_PARSER,
                  XML_ERR_USER_STOP);
  xmlStopParser(ctxt);
}

/* RelaxNG's messages for attribute problems do not say which attribute
 * or why; say what the possibilities are. */
static const char *relaxng_hint(const struct first_error *fe) {
  if (fe->domain != XML_FROM_RELAXNGV)
    return "";
  switch (fe->code) {
  case XML_RELAXNG_ERR_ATTRVALID:
    return " (a required attribute is missing, or a value is not one of "
           "those allowed)";
  case XML_RELAXNG_ERR_INVALIDATTR:
    return " (the element has no such attribute, or the value is not one "
           "of those allowed)";
  default:
    return "";
  }
}

static void set_first_error(GError **error, int code, const char *path,
                            const struct first_error *fe,
                            const char *fallback) {
  g_set_error(error, MIPSIM_SCENARIO_ERROR, code, "%s:%ld: %s%s", path,
              fe->message ? MAX(fe->line, 0) : 0,
              fe->message ? fe->message : fallback, relaxng_hint(fe));
}

/* libxml2 2.9 fills its parser and datatype tables on first use without
 * locking; fill them once before runs in several threads load scenarios. */
static void init_libxml(void) {
  static gsize done = 0;
  if (g_once_init_enter(&done)) {
    xmlInitParser();
    xmlRelaxNGInitTypes();
    g_once_init_leave(&done, 1);
  }
}

/* Reads path into a tree.  The file is read here rather than by libxml2
 * so that only regular files are opened (a FIFO or /dev/zero would hang)
 * and so that every error reaches the per-context handler. */
static xmlDoc *read_xml(const char *path, int syntax_code, GError **error) {
  if (!g_file_test(path, G_FILE_TEST_IS_REGULAR)) {
    g_set_error(error, MIPSIM_SCENARIO_ERROR, MIPSIM_SCENARIO_ERROR_IO,
                "%s:0: %s", path,
                g_file_test(path, G_FILE_TEST_EXISTS)
                    ? "not a regular file"
                    : "no such file");
    return NULL;
  }
  g_autofree char *text = NULL;
  gsize len = 0;
  g_autoptr(GError) local = NULL;
  if (!g_file_get_contents(path, &text, &len, &local)) {
    g_set_error(error, MIPSIM_SCENARIO_ERROR, MIPSIM_SCENARIO_ERROR_IO,
                "%s:0: %s", path, local->message);
    return NULL;
  }
  if (len > INT_MAX) {
    g_set_error(error, MIPSIM_SCENARIO_ERROR, MIPSIM_SCENARIO_ERROR_IO,
                "%s:0: file too large", path);
    return NULL;
  }

  xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
  if (!ctxt)
    g_error("out of memory creating an XML parser");
  struct first_error fe = {0};
  ctxt->_private = &fe;
  ctxt->sax->serror = collect_parser_error;
  ctxt->sax->internalSubset = refuse_internal_subset;
  xmlDoc *doc = xmlCtxtReadMemory(ctxt, text, (int)len, path, NULL,
                                  XML_PARSE_NONET | XML_PARSE_BIG_LINES);
  gboolean ok = doc && ctxt->wellFormed && !fe.message;
  xmlFreeParserCtxt(ctxt);
  if (!ok) {
    set_first_error(error, syntax_code, path, &fe, "not well-formed XML");
    g_clear_pointer(&doc, xmlFreeDoc);
  }
  first_error_clear(&fe);
  return doc;
}

/* Points the schema's <start> at the define named start: one schema
 * holds both the scenario and the study grammars. */
static void set_start(xmlDoc *schema_doc, const char *start) {
  for (xmlNode *n = xmlDocGetRootElement(schema_doc)->children; n;
       n = n->next)
    if (n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST "start"))
      for (xmlNode *ref = n->children; ref; ref = ref->next)
        if (ref->type == XML_ELEMENT_NODE)
          xmlSetProp(ref, BAD_CAST "name", BAD_CAST start);
}

/* Checks doc against the schema at schema_path, parsed afresh (a cached
 * schema would be shared state between threads), from the define named
 * start. */
static gboolean validate(xmlDoc *doc, const char *path,
                         const char *schema_path, const char *start,
                         GError **error) {
  if (!g_file_test(schema_path, G_FILE_TEST_EXISTS)) {
    g_set_error(error, MIPSIM_SCENARIO_ERROR, MIPSIM_SCENARIO_ERROR_IO,
                "%s:0: the scenario schema is missing (is mipsim installed? "
                "MIPSIM_SCHEMA_DIR names the directory that holds "
                SCHEMA_FILE ")", schema_path);
    return FALSE;
  }
  xmlDoc *schema_doc = read_xml(schema_path, MIPSIM_SCENARIO_ERROR_IO,
                                error);
  if (!schema_doc)
    return FALSE;
  set_start(schema_doc, start);
  /* The parser context works on its own copy of the tree. */
  xmlRelaxNGParserCtxtPtr pctxt = xmlRelaxNGNewDocParserCtxt(schema_doc);
  xmlFreeDoc(schema_doc);
  if (!pctxt)
    g_error("out of memory creating a RelaxNG parser");
  struct first_error fe = {0};
  xmlRelaxNGSetParserStructuredErrors(pctxt, collect_error, &fe);
  xmlRelaxNGPtr schema = xmlRelaxNGParse(pctxt);
  xmlRelaxNGFreeParserCtxt(pctxt);
  if (!schema) {
    set_first_error(error, MIPSIM_SCENARIO_ERROR_IO, schema_path, &fe,
                    "not a usable RelaxNG schema");
    first_error_clear(&fe);
    return FALSE;
  }
  first_error_clear(&fe);

  xmlRelaxNGValidCtxtPtr vctxt = xmlRelaxNGNewValidCtxt(schema);
  if (!vctxt)
    g_error("out of memory creating a RelaxNG validator");
  xmlRelaxNGSetValidStructuredErrors(vctxt, collect_error, &fe);
  int rc = xmlRelaxNGValidateDoc(vctxt, doc);
  xmlRelaxNGFreeValidCtxt(vctxt);
  xmlRelaxNGFree(schema);
  if (rc != 0)
    set_first_error(error, MIPSIM_SCENARIO_ERROR_SCHEMA, path, &fe,
                    "does not match the scenario schema");
  first_error_clear(&fe);
  return rc == 0;
}

char *scenario_schema_path(void) {
  const char *dir = g_getenv("MIPSIM_SCHEMA_DIR");
  if (dir && *dir)
    return g_build_filename(dir, SCHEMA_FILE, NULL);
#ifdef MIPSIM_SOURCE_SCHEMA_DIR
  char *source = g_build_filename(MIPSIM_SOURCE_SCHEMA_DIR, SCHEMA_FILE,
                                  NULL);
  if (g_file_test(source, G_FILE_TEST_IS_REGULAR))
    return source;
  g_free(source);
#endif
  return g_build_filename(MIPSIM_SCHEMA_DIR, SCHEMA_FILE, NULL);
}

/* ------------------------------------------------------------------------
 * Building the simulation
 * ------------------------------------------------------------------------ */

/* Where a name was defined, and what it names. */
struct defined {
  void *obj;
  long line;
};

/* A time span during which a link or node is down. */
struct outage {
  int64_t down, up;
  long line;
};

struct loader {
  const char *path;
  struct sim *sim;
  GHashTable *nodes;   /* name -> struct defined (struct node) */
  GHashTable *links;   /* name -> struct defined (struct link), cells'
                        * channels included */
  GHashTable *cells;   /* name -> struct defined (struct cell) */
  GHashTable *radios;  /* "node/name" -> struct defined (struct iface) */
  GHashTable *flows;   /* name -> struct defined (no object) */
  GHashTable *addrs;   /* formatted address -> line, as a pointer */
  GHashTable *routes;  /* "node prefix" -> line, as a pointer */
  GHashTable *ports;   /* "node port" -> line, as a pointer: the ports of
                        * flow sinks, UDP and TCP alike */
  GHashTable *outages; /* "link NAME" or "node NAME" -> GArray of outage */
  uint32_t n_ported;   /* <cbr>, <onoff>, <tcp-bulk> and <tcp-rr>
                        * elements seen, for default ports */
  long record_line;    /* line of the <record> element; 0: none yet */
  GHashTable *elements; /* element name -> const struct module *: the
                         * registry's, which owns each; a role -> the
                         * first module implementing it */
  const struct module *const *modules; /* the registry */
  char *scheme;          /* <mobility scheme>; NULL: none yet */
  long mobility_line;
};

static void loader_init(struct loader *ld, const char *path,
                        const struct module *const *modules) {
  *ld = (struct loader){.path = path, .modules = modules};
  ld->elements = g_hash_table_new(g_str_hash, g_str_equal);
  for (const struct module *const *m = modules; m && *m; m++) {
    for (const char *const *e = (*m)->elements; e && *e; e++)
      g_hash_table_insert(ld->elements, (gpointer)*e, (gpointer)*m);
    /* Roles are the loader's to dispatch (load_modules); listing them
     * here tells the node loaders that this build can load them. */
    for (const char *const *r = (*m)->roles; r && *r; r++)
      if (!g_hash_table_contains(ld->elements, *r))
        g_hash_table_insert(ld->elements, (gpointer)*r, (gpointer)*m);
  }
  ld->nodes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  ld->links = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  ld->cells = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  ld->radios = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  ld->flows = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  ld->addrs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  ld->routes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  ld->ports = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  ld->outages = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify)g_array_unref);
}

static void loader_clear(struct loader *ld) {
  g_hash_table_unref(ld->nodes);
  g_hash_table_unref(ld->links);
  g_hash_table_unref(ld->cells);
  g_hash_table_unref(ld->radios);
  g_hash_table_unref(ld->flows);
  g_hash_table_unref(ld->addrs);
  g_hash_table_unref(ld->routes);
  g_hash_table_unref(ld->ports);
  g_hash_table_unref(ld->outages);
  g_hash_table_unref(ld->elements);
  g_free(ld->scheme);
}

static long line_of(const xmlNode *n) {
  return xmlGetLineNo(n);
}

/* Sets "PATH:LINE: ELEMENT: problem" and returns FALSE. */
G_GNUC_PRINTF(4, 5)
static gboolean fail(const struct loader *ld, const xmlNode *n,
                     GError **error, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *problem = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_set_error(error, MIPSIM_SCENARIO_ERROR, MIPSIM_SCENARIO_ERROR_INVALID,
              "%s:%ld: %s: %s", ld->path, line_of(n), (const char *)n->name,
              problem);
  return FALSE;
}

/* The attribute's value, or NULL if absent. */
static char *attr(const xmlNode *n, const char *name) {
  return module_attr(n, name);
}

static gboolean has_attr(const xmlNode *n, const char *name) {
  return xmlHasNsProp(n, (const xmlChar *)name, NULL) != NULL;
}

/* The schema requires these attributes, but the loader must not crash
 * when MIPSIM_SCHEMA_DIR points at a schema that is looser than ours. */
static gboolean need(const struct loader *ld, const xmlNode *n,
                     const char *const *names, GError **error) {
  for (; *names; names++)
    if (!has_attr(n, *names))
      return fail(ld, n, error, "the %s attribute is missing", *names);
  return TRUE;
}

#define NEED(ld, n, error, ...) \
  need(ld, n, (const char *const[]){__VA_ARGS__, NULL}, error)

/* Names end up in file names and random stream names ("link/NAME/loss"),
 * so they are kept to a portable alphabet without '/'. */
static gboolean check_name(const struct loader *ld, const xmlNode *n,
                           const char *attr_name, const char *name,
                           GError **error) {
  gboolean ok = name[0] && (g_ascii_isalpha(name[0]) || name[0] == '_') &&
                strlen(name) <= NAME_MAX_LEN;
  for (const char *s = name + 1; ok && *s; s++)
    ok = g_ascii_isalnum(*s) || *s == '_' || *s == '.' || *s == '-';
  if (!ok)
    return fail(ld, n, error,
                "%s '%s' is not a valid name (a letter or '_', then "
                "letters, digits, '_', '.' or '-'; at most %d characters)",
                attr_name, name, NAME_MAX_LEN);
  return TRUE;
}

/* Registers the name attribute of n, of a kind ("node", "link", "flow"),
 * in table; the caller fills in the object.  NULL and an error if the
 * name is missing, malformed or taken. */
static struct defined *define_name(const struct loader *ld, const xmlNode *n,
                                   GHashTable *table, const char *kind,
                                   GError **error) {
  if (!NEED(ld, n, error, "name"))
    return NULL;
  g_autofree char *name = attr(n, "name");
  if (!check_name(ld, n, "name", name, error))
    return NULL;
  const struct defined *old = g_hash_table_lookup(table, name);
  if (old) {
    fail(ld, n, error, "duplicate %s name '%s' (first defined on line %ld)",
         kind, name, old->line);
    return NULL;
  }
  struct defined *d = g_new0(struct defined, 1);
  d->line = line_of(n);
  g_hash_table_insert(table, g_steal_pointer(&name), d);
  return d;
}

/* The node named by attribute attr_name; NULL and an error if there is
 * none.  Node names are all known before anything refers to them. */
static struct node *ref_node(const struct loader *ld, const xmlNode *n,
                             const char *attr_name, GError **error) {
  g_autofree char *name = attr(n, attr_name);
  const struct defined *d = g_hash_table_lookup(ld->nodes, name);
  if (!d) {
    fail(ld, n, error, "%s: there is no host or router named '%s'",
         attr_name, name);
    return NULL;
  }
  return d->obj;
}

static struct link *ref_link(const struct loader *ld, const xmlNode *n,
                             const char *attr_name, GError **error) {
  g_autofree char *name = attr(n, attr_name);
  const struct defined *d = g_hash_table_lookup(ld->links, name);
  if (!d) {
    fail(ld, n, error, "%s: there is no link or lan named '%s'", attr_name,
         name);
    return NULL;
  }
  return d->obj;
}

/* Turns the GError of a value parser into "ELEMENT: ATTR: message". */
static gboolean value_error(const struct loader *ld, const xmlNode *n,
                            const char *attr_name, const GError *local,
                            GError **error) {
  return fail(ld, n, error, "%s: %s", attr_name, local->message);
}

/* Each get_* parses an optional attribute: absent leaves *out at the
 * default the caller put there. */
static gboolean get_time(const struct loader *ld, const xmlNode *n,
                         const char *name, int64_t *out, GError **error) {
  g_autofree char *v = attr(n, name);
  g_autoptr(GError) local = NULL;
  if (v && !units_parse_time(v, out, &local))
    return value_error(ld, n, name, local, error);
  return TRUE;
}

static gboolean get_rate(const struct loader *ld, const xmlNode *n,
                         const char *name, uint64_t *out, GError **error) {
  g_autofree char *v = attr(n, name);
  g_autoptr(GError) local = NULL;
  if (v && !units_parse_rate(v, out, &local))
    return value_error(ld, n, name, local, error);
  return TRUE;
}

/* A size in [min, max] bytes. */
static gboolean get_size(const struct loader *ld, const xmlNode *n,
                         const char *name, uint64_t min, uint64_t max,
                         uint64_t *out, GError **error) {
  g_autofree char *v = attr(n, name);
  g_autoptr(GError) local = NULL;
  if (!v)
    return TRUE;
  if (!units_parse_size(v, out, &local))
    return value_error(ld, n, name, local, error);
  if (*out < min || *out > max)
    return fail(ld, n, error, "%s: '%s' is out of range (%" G_GUINT64_FORMAT
                "B to %" G_GUINT64_FORMAT "B)", name, v, min, max);
  return TRUE;
}

/* A whole number in [min, max]. */
static gboolean get_count(const struct loader *ld, const xmlNode *n,
                          const char *name, uint64_t min, uint64_t max,
                          uint64_t *out, GError **error) {
  g_autofree char *v = attr(n, name);
  g_autoptr(GError) local = NULL;
  if (!v)
    return TRUE;
  if (!units_parse_count(v, out, &local))
    return value_error(ld, n, name, local, error);
  if (*out < min && max == UINT64_MAX)
    return fail(ld, n, error, "%s: must be at least %" G_GUINT64_FORMAT
                ", not %s", name, min, v);
  if (*out < min || *out > max)
    return fail(ld, n, error, "%s: %s is out of range (%" G_GUINT64_FORMAT
                " to %" G_GUINT64_FORMAT ")", name, v, min, max);
  return TRUE;
}

static gboolean get_probability(const struct loader *ld, const xmlNode *n,
                                const char *name, double *out,
                                GError **error) {
  g_autofree char *v = attr(n, name);
  g_autoptr(GError) local = NULL;
  if (v && !units_parse_probability(v, out, &local))
    return value_error(ld, n, name, local, error);
  return TRUE;
}

/* Which signs a quantity kept as a double may have. */
enum sign { ANY_SIGN, NOT_NEGATIVE, POSITIVE };

/* A quantity kept as a double, read by parse, of the allowed sign and at
 * most max in magnitude (max_text: the same in the user's units). */
static gboolean get_real(const struct loader *ld, const xmlNode *n,
                         const char *name,
                         gboolean (*parse)(const char *, double *, GError **),
                         enum sign sign, double max, const char *max_text,
                         double *out, GError **error) {
  g_autofree char *v = attr(n, name);
  g_autoptr(GError) local = NULL;
  double x;
  if (!v)
    return TRUE;
  if (!parse(v, &x, &local))
    return value_error(ld, n, name, local, error);
  if (sign == POSITIVE && !(x > 0))
    return fail(ld, n, error, "%s: must be greater than zero, not %s", name,
                v);
  if (sign == NOT_NEGATIVE && x < 0)
    return fail(ld, n, error, "%s: must not be negative, not %s", name, v);
  if (fabs(x) > max)
    return sign == ANY_SIGN
               ? fail(ld, n, error, "%s: %s is out of range (-%s to %s)",
                      name, v, max_text, max_text)
               : fail(ld, n, error, "%s: %s is out of range (at most %s)",
                      name, v, max_text);
  *out = x;
  return TRUE;
}

/* A distance in metres; coordinates may be negative. */
static gboolean get_distance(const struct loader *ld, const xmlNode *n,
                             const char *name, enum sign sign, double *out,
                             GError **error) {
  return get_real(ld, n, name, units_parse_distance, sign, DISTANCE_MAX,
                  DISTANCE_MAX_TEXT, out, error);
}

/* A speed in metres per second; velocity components may be negative. */
static gboolean get_speed(const struct loader *ld, const xmlNode *n,
                          const char *name, enum sign sign, double *out,
                          GError **error) {
  return get_real(ld, n, name, units_parse_speed, sign, SPEED_MAX,
                  SPEED_MAX_TEXT, out, error);
}

/* A number without unit, greater than zero (the parser refuses
 * infinity). */
static gboolean get_number(const struct loader *ld, const xmlNode *n,
                           const char *name, double *out, GError **error) {
  return get_real(ld, n, name, units_parse_number, POSITIVE, INFINITY, "",
                  out, error);
}

/* A time no longer than MOVE_TIME_MAX. */
static gboolean get_move_time(const struct loader *ld, const xmlNode *n,
                              const char *name, int64_t *out,
                              GError **error) {
  if (!get_time(ld, n, name, out, error))
    return FALSE;
  if (*out > MOVE_TIME_MAX)
    return fail(ld, n, error, "%s: longer than " MOVE_TIME_MAX_TEXT, name);
  return TRUE;
}

/* Seconds, for messages. */
static double seconds(int64_t ns) {
  return (double)ns / (double)SIM_S;
}

/* The schema allows only "true" and "false". */
static gboolean get_bool(const xmlNode *n, const char *name) {
  g_autofree char *v = attr(n, name);
  return v && strcmp(v, "true") == 0;
}

/* family attribute: 4, 6, or 0 when absent. */
static int get_family(const xmlNode *n) {
  g_autofree char *v = attr(n, "family");
  if (!v)
    return 0;
  return strcmp(v, "ipv6") == 0 ? 6 : 4;
}

static const char *family_name(int family) {
  return family == 6 ? "IPv6" : "IPv4";
}

/* An element that our schema does not have comes from an extension
 * schema whose module this build lacks. */
static gboolean cannot_load(const struct loader *ld, const xmlNode *n,
                            GError **error) {
  return fail(ld, n, error, "this element is in the schema but this build "
              "of mipsim cannot load it");
}

/* Children of <host> and <router> that are kernel services (DHCP),
 * loaded by the loader itself once the radios exist (load_dhcp).  No
 * protocol module may claim their names. */
static bool is_service_element(const xmlNode *n) {
  return n->type == XML_ELEMENT_NODE &&
         (strcmp((const char *)n->name, "dhcp-server") == 0 ||
          strcmp((const char *)n->name, "dhcp-client") == 0);
}

/* Children of <host> and <router> that belong to a protocol module are
 * configured by it, once the whole topology exists (load_modules). */
static const struct module *module_of(const struct loader *ld,
                                      const xmlNode *n) {
  return is_service_element(n)
             ? NULL
             : g_hash_table_lookup(ld->elements, (const char *)n->name);
}

/* Elements that take no child elements in our schema. */
static gboolean no_children(const struct loader *ld, const xmlNode *n,
                            GError **error) {
  for (const xmlNode *c = n->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE)
      return cannot_load(ld, c, error);
  return TRUE;
}

/* ---- <description>, <routing>, <record> ---- */

/* Free text for the reader only. */
static gboolean load_description(G_GNUC_UNUSED struct loader *ld,
                                 G_GNUC_UNUSED xmlNode *n,
                                 G_GNUC_UNUSED GError **error) {
  return TRUE;
}

static gboolean load_routing(struct loader *ld, xmlNode *n,
                             G_GNUC_UNUSED GError **error) {
  g_autofree char *mode = attr(n, "mode");
  g_autofree char *metric = attr(n, "metric");
  ld->sim->computed_routes = !mode || strcmp(mode, "computed") == 0;
  ld->sim->metric = metric && strcmp(metric, "hops") == 0
                        ? ROUTE_METRIC_HOPS
                        : ROUTE_METRIC_DELAY;
  return TRUE;
}

static gboolean load_record(struct loader *ld, xmlNode *n, GError **error) {
  if (ld->record_line)
    return fail(ld, n, error, "only one <record> is allowed (the first is "
                "on line %ld)", ld->record_line);
  ld->record_line = line_of(n);
  struct sim *sim = ld->sim;
  sim->record_pcap = get_bool(n, "pcap");
  int64_t positions = 0, bin = 0;
  if (!get_time(ld, n, "positions", &positions, error) ||
      !get_time(ld, n, "bin", &bin, error))
    return FALSE;
  if (has_attr(n, "bin") && bin <= 0)
    return fail(ld, n, error, "bin: must be greater than zero");
  if (positions > 0 && sim->duration / positions > SAMPLES_MAX)
    return fail(ld, n, error, "positions: a sample every %gs over the run "
                "is more than %d per node", seconds(positions), SAMPLES_MAX);
  if (bin > 0 && sim->duration / bin > SAMPLES_MAX)
    return fail(ld, n, error, "bin: %gs bins over the run are more than %d "
                "per flow", seconds(bin), SAMPLES_MAX);
  if (has_attr(n, "bin"))
    sim->bin_width = bin;
  if (positions > 0) {
    sim->positions_interval = positions;
    mobility_record_positions(sim);
  }
  return TRUE;
}

/* ---- <host>, <router> ---- */

static gboolean load_node(struct loader *ld, xmlNode *n, GError **error) {
  struct defined *d = define_name(ld, n, ld->nodes, "node", error);
  if (!d)
    return FALSE;
  g_autofree char *name = attr(n, "name");
  bool router = strcmp((const char *)n->name, "router") == 0;
  d->obj = node_new(ld->sim, name, router);
  /* A host's children are movement and radios, loaded once the cells
   * exist (load_mobile); a router's are protocol modules'. */
  if (router)
    for (const xmlNode *c = n->children; c; c = c->next)
      if (c->type == XML_ELEMENT_NODE && !module_of(ld, c) &&
          !is_service_element(c))
        return cannot_load(ld, c, error);
  return TRUE;
}

static bool is_element(const xmlNode *n, const char *name);

/* The module whose settings element n is, or NULL. */
static const struct module *settings_of(const struct loader *ld,
                                        const xmlNode *n) {
  for (const struct module *const *m = ld->modules; m && *m; m++)
    if ((*m)->settings && is_element(n, (*m)->settings))
      return *m;
  return NULL;
}

/* The children of a role: its security associations (one per peer) and
 * the settings of linked modules. */
static gboolean check_role(const struct loader *ld, const xmlNode *role,
                           GError **error) {
  struct module_ctx ctx = {.path = ld->path, .scheme = ld->scheme};
  g_autoptr(GHashTable) peers = g_hash_table_new(g_direct_hash,
                                                 g_direct_equal);
  for (const xmlNode *c = role->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || is_element(c, "mobile"))
      continue;
    if (!is_element(c, "security-association")) {
      if (!settings_of(ld, c))
        return cannot_load(ld, c, error);
      continue;
    }
    uint32_t peer = 0;
    if (!module_get_v4(c, "peer", &peer, true, &ctx, error))
      return FALSE;
    long first = GPOINTER_TO_SIZE(
        g_hash_table_lookup(peers, GUINT_TO_POINTER(peer)));
    if (first)
      return fail(ld, c, error, "peer: a second association with the same "
                  "peer (the first is on line %ld)", first);
    g_hash_table_insert(peers, GUINT_TO_POINTER(peer),
                        GSIZE_TO_POINTER((gsize)line_of(c)));
  }
  return TRUE;
}

/* Hands role to every module that implements it under the scheme, in
 * the registry's order. */
static gboolean load_role(struct loader *ld, struct node *node, xmlNode *role,
                          GError **error) {
  if (!ld->scheme)
    return fail(ld, role, error, "a role needs a top-level <mobility "
                "scheme=\"...\"> to say how it is implemented");
  if (!check_role(ld, role, error))
    return FALSE;
  struct module_ctx ctx = {.path = ld->path, .scheme = ld->scheme};
  bool implemented = false;
  for (const struct module *const *m = ld->modules; m && *m; m++) {
    if (!module_implements(*m, ld->scheme, (const char *)role->name))
      continue;
    implemented = true;
    if (!(*m)->configure(ld->sim, node, role, &ctx, error))
      return FALSE;
  }
  if (!implemented)
    return fail(ld, role, error, "no module of this build implements this "
                "role under the scheme %s (line %ld)", ld->scheme,
                ld->mobility_line);
  return TRUE;
}

/* The protocol modules' elements inside a node, in document order: its
 * roles (at most one of each) and modules' own elements. */
static gboolean load_modules(struct loader *ld, xmlNode *n, GError **error) {
  struct node *node = ref_node(ld, n, "name", error);
  if (!node)
    return FALSE;
  struct module_ctx ctx = {.path = ld->path, .scheme = ld->scheme};
  const xmlNode *seen[MODULE_N_ROLES] = {0};
  for (xmlNode *c = n->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || is_service_element(c))
      continue;
    for (size_t i = 0; module_roles[i]; i++) {
      if (!is_element(c, module_roles[i]))
        continue;
      if (seen[i])
        return fail(ld, c, error, "%s already has this role (line %ld); "
                    "a node has at most one of each", node->name,
                    line_of(seen[i]));
      seen[i] = c;
    }
    if (module_is_role((const char *)c->name)) {
      if (!load_role(ld, node, c, error))
        return FALSE;
      continue;
    }
    const struct module *m = module_of(ld, c);
    if (m && !m->configure(ld->sim, node, c, &ctx, error))
      return FALSE;
  }
  return TRUE;
}

/* ---- <link>, <lan> ---- */

static bool is_unicast(const struct ip_addr *a) {
  if (a->family == 4)
    return a->v4 != 0 && (a->v4 >> 28) != 0xe && a->v4 != 0xffffffffu &&
           (a->v4 >> 24) != 127;
  static const struct in6 unspecified = {{0}};
  static const struct in6 loopback = {{[15] = 1}};
  return a->v6.b[0] != 0xff && !in6_equal(&a->v6, &unspecified) &&
         !in6_equal(&a->v6, &loopback);
}

/* Parses attribute name (ipv4 or ipv6, of family) of an <end> or
 * <attach> into *p, checks that it can be an interface address and that
 * no other interface has it. */
static gboolean get_iface_addr(struct loader *ld, const xmlNode *n,
                               const char *name, int family,
                               struct prefix *p, GError **error) {
  g_autofree char *v = attr(n, name);
  g_autoptr(GError) local = NULL;
  if (!prefix_parse(v, p, &local))
    return value_error(ld, n, name, local, error);
  if (p->addr.family != family)
    return fail(ld, n, error, "%s: '%s' is an %s address", name, v,
                family_name(p->addr.family));
  char text[ADDR_STRLEN];
  addr_format(&p->addr, text);
  if (p->len == 0)
    return fail(ld, n, error, "%s: '%s': an interface prefix length must "
                "be at least 1", name, v);
  if (!is_unicast(&p->addr))
    return fail(ld, n, error, "%s: %s is not a unicast address", name, text);
  /* The subnet's own address and its broadcast address are not host
   * addresses, except on /31 and /32 subnets (RFC 3021). */
  if (family == 4 && p->len <= 30) {
    uint32_t host = p->addr.v4 & ~v4_mask(p->len);
    if (host == 0 || host == ~v4_mask(p->len))
      return fail(ld, n, error, "%s: %s is the %s address of its subnet",
                  name, v, host == 0 ? "network" : "broadcast");
  }
  gpointer line = g_hash_table_lookup(ld->addrs, text);
  if (line)
    return fail(ld, n, error, "%s: address %s is already used on line %ld",
                name, text, (long)GPOINTER_TO_SIZE(line));
  g_hash_table_insert(ld->addrs, g_strdup(text),
                      GSIZE_TO_POINTER((gsize)line_of(n)));
  return TRUE;
}

/* One <end> or <attach>: an interface of a node on link. */
static gboolean load_iface(struct loader *ld, xmlNode *n, struct link *link,
                           bool *has_ipv6, GError **error) {
  struct node *node = NEED(ld, n, error, "node")
                          ? ref_node(ld, n, "node", error)
                          : NULL;
  if (!node)
    return FALSE;
  if (node_iface_on(node, link))
    return fail(ld, n, error, "node %s is attached to %s %s twice",
                node->name, link->ops == &link_p2p_ops ? "link" : "lan",
                link->name);
  bool filter = get_bool(n, "ingress-filter");
  if (filter && !node->router)
    return fail(ld, n, error, "ingress-filter: %s is a host; only routers "
                "filter", node->name);

  struct prefix v4 = {0}, v6 = {0};
  if (has_attr(n, "ipv4") && !get_iface_addr(ld, n, "ipv4", 4, &v4, error))
    return FALSE;
  if (has_attr(n, "ipv6") && !get_iface_addr(ld, n, "ipv6", 6, &v6, error))
    return FALSE;

  if (!no_children(ld, n, error))
    return FALSE;
  struct iface *iface = iface_new(node, link);
  if (v4.addr.family)
    iface_add_addr(iface, &v4);
  if (v6.addr.family) {
    iface_add_addr(iface, &v6);
    *has_ipv6 = true;
  }
  iface->ingress_filter = filter;
  return TRUE;
}

static gboolean load_loss(struct loader *ld, xmlNode *n, struct link *link,
                          GError **error) {
  g_autofree char *model = attr(n, "model");
  struct loss_model *m = &link->loss;
  if (!NEED(ld, n, error, "model"))
    return FALSE;
  if (strcmp(model, "distance") == 0) {
    struct cell *cell = cell_of_link(link);
    if (!cell)
      return fail(ld, n, error, "model: the distance model is for cells");
    cell->distance_loss = true;
    cell->loss_near = 0.0;
    cell->loss_exponent = 2.0;
    if (!NEED(ld, n, error, "edge") ||
        !get_probability(ld, n, "near", &cell->loss_near, error) ||
        !get_probability(ld, n, "edge", &cell->loss_edge, error) ||
        !get_number(ld, n, "exponent", &cell->loss_exponent, error))
      return FALSE;
  } else if (strcmp(model, "bernoulli") == 0) {
    m->kind = LOSS_BERNOULLI;
    if (!NEED(ld, n, error, "p") ||
        !get_probability(ld, n, "p", &m->p, error))
      return FALSE;
  } else {
    /* Gilbert's original model: no loss in the good state, all frames
     * lost in the bad one, unless told otherwise. */
    m->kind = LOSS_GILBERT_ELLIOTT;
    m->loss_good = 0.0;
    m->loss_bad = 1.0;
    if (!NEED(ld, n, error, "p-good-bad", "p-bad-good") ||
        !get_probability(ld, n, "p-good-bad", &m->p_good_bad, error) ||
        !get_probability(ld, n, "p-bad-good", &m->p_bad_good, error) ||
        !get_probability(ld, n, "loss-good", &m->loss_good, error) ||
        !get_probability(ld, n, "loss-bad", &m->loss_bad, error))
      return FALSE;
  }
  m->bad = false;
  g_autofree char *stream = g_strdup_printf("link/%s/loss", link->name);
  sim_rng(ld->sim, &m->rng, stream);
  return TRUE;
}

static gboolean load_link(struct loader *ld, xmlNode *n, GError **error) {
  bool lan = strcmp((const char *)n->name, "lan") == 0;
  g_autofree char *name = attr(n, "name");
  uint64_t bps = 0, mtu = LINK_DEFAULT_MTU, queue = LINK_DEFAULT_QUEUE;
  int64_t delay = 0;
  struct defined *d = define_name(ld, n, ld->links, "link", error);
  if (!d || !NEED(ld, n, error, "bandwidth", "delay") ||
      !get_rate(ld, n, "bandwidth", &bps, error) ||
      !get_time(ld, n, "delay", &delay, error) ||
      !get_size(ld, n, "mtu", MTU_MIN, MTU_MAX, &mtu, error) ||
      !get_count(ld, n, "queue", 1, QUEUE_MAX, &queue, error))
    return FALSE;

  /* A point-to-point link takes exactly two interfaces: count them before
   * attaching any.  Every child but <loss> is an interface. */
  if (!lan) {
    unsigned ends = 0;
    for (xmlNode *c = n->children; c; c = c->next) {
      if (c->type != XML_ELEMENT_NODE ||
          strcmp((const char *)c->name, "loss") == 0)
        continue;
      if (++ends > 2)
        return fail(ld, c, error, "link %s is point-to-point and already "
                    "has two ends (use a <lan> to connect more nodes)",
                    name);
    }
    if (ends < 2)
      return fail(ld, n, error, "a point-to-point link needs two <end>s, "
                  "%s has %u", name, ends);
  }

  struct link *link = link_new(ld->sim, name,
                               lan ? &eth_lan_ops : &link_p2p_ops, bps, delay);
  d->obj = link;
  link->mtu = (uint32_t)mtu;
  link->queue_limit = (uint32_t)queue;

  bool has_ipv6 = false;
  for (xmlNode *c = n->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE)
      continue;
    gboolean ok = strcmp((const char *)c->name, "loss") == 0
                      ? load_loss(ld, c, link, error)
                      : load_iface(ld, c, link, &has_ipv6, error);
    if (!ok)
      return FALSE;
  }
  if (has_ipv6 && mtu < IPV6_MIN_MTU)
    return fail(ld, n, error, "mtu %" G_GUINT64_FORMAT "B is below the "
                "IPv6 minimum of %uB, and %s carries IPv6", mtu,
                IPV6_MIN_MTU, name);
  return TRUE;
}

/* ---- <cell> ---- */

/* A cell's name is also the name of its channel (a link) and of its
 * bridge (a node), so it must be free in all three namespaces. */
static struct defined *define_cell(const struct loader *ld, const xmlNode *n,
                                   GError **error) {
  struct defined *d = define_name(ld, n, ld->cells, "cell", error);
  if (!d)
    return NULL;
  g_autofree char *name = attr(n, "name");
  const struct defined *link = g_hash_table_lookup(ld->links, name);
  const struct defined *node = g_hash_table_lookup(ld->nodes, name);
  if (link || node) {
    fail(ld, n, error, "name '%s' is taken by the %s on line %ld (a cell's "
         "channel is a link of that name, and its bridge a node)", name,
         link ? "link or lan" : "node", link ? link->line : node->line);
    return NULL;
  }
  return d;
}

/* The <ap> or <bridge> of a cell, and its <loss>; fails unless there is
 * exactly one access point. */
static gboolean cell_children(const struct loader *ld, const xmlNode *n,
                              const char *name, xmlNode **ap,
                              xmlNode **loss, GError **error) {
  *ap = *loss = NULL;
  for (xmlNode *c = n->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE)
      continue;
    if (strcmp((const char *)c->name, "loss") == 0) {
      *loss = c;
      continue;
    }
    if (strcmp((const char *)c->name, "ap") != 0 &&
        strcmp((const char *)c->name, "bridge") != 0)
      return cannot_load(ld, c, error);
    if (*ap)
      return fail(ld, c, error, "cell %s already has an access point (the "
                  "<%s> on line %ld)", name, (const char *)(*ap)->name,
                  line_of(*ap));
    *ap = c;
  }
  if (!*ap)
    return fail(ld, n, error, "%s needs an access point: an <ap> (a "
                "router's interface) or a <bridge> (onto a lan)", name);
  return TRUE;
}

/* The LAN a <bridge> names: a real LAN, not a point-to-point link or
 * another cell's channel. */
static struct link *bridged_lan(const struct loader *ld, const xmlNode *n,
                                GError **error) {
  struct link *lan = NEED(ld, n, error, "lan") ? ref_link(ld, n, "lan", error)
                                                : NULL;
  if (lan && lan->ops != &eth_lan_ops) {
    fail(ld, n, error, "lan: %s is %s; a cell is bridged onto a lan",
         lan->name, cell_of_link(lan) ? "a cell" : "a point-to-point link");
    return NULL;
  }
  return lan;
}

static gboolean load_cell(struct loader *ld, xmlNode *n, GError **error) {
  struct defined *d = define_cell(ld, n, error);
  struct vec2 pos = {0, 0};
  double radius = 0;
  uint64_t bps = 0, mtu = LINK_DEFAULT_MTU, queue = LINK_DEFAULT_QUEUE;
  int64_t delay = 0;
  if (!d ||
      !NEED(ld, n, error, "x", "y", "radius", "bandwidth", "delay") ||
      !get_distance(ld, n, "x", ANY_SIGN, &pos.x, error) ||
      !get_distance(ld, n, "y", ANY_SIGN, &pos.y, error) ||
      !get_distance(ld, n, "radius", POSITIVE, &radius, error) ||
      !get_rate(ld, n, "bandwidth", &bps, error) ||
      !get_time(ld, n, "delay", &delay, error) ||
      !get_size(ld, n, "mtu", MTU_MIN, MTU_MAX, &mtu, error) ||
      !get_count(ld, n, "queue", 1, QUEUE_MAX, &queue, error))
    return FALSE;
  g_autofree char *name = attr(n, "name");
  xmlNode *ap, *loss;
  if (!cell_children(ld, n, name, &ap, &loss, error))
    return FALSE;

  /* Resolve the access point before building anything. */
  struct link *lan = NULL;
  if (strcmp((const char *)ap->name, "bridge") == 0) {
    lan = bridged_lan(ld, ap, error);
    if (!lan)
      return FALSE;
    /* The bridge joins the cell to the LAN's subnet, which has one MTU. */
    if (!has_attr(n, "mtu"))
      mtu = lan->mtu;
    else if (mtu != lan->mtu)
      return fail(ld, n, error, "mtu: %" G_GUINT64_FORMAT "B differs from "
                  "the %uB of lan %s, which the cell is bridged onto", mtu,
                  lan->mtu, lan->name);
  } else {
    struct node *node = NEED(ld, ap, error, "node")
                            ? ref_node(ld, ap, "node", error)
                            : NULL;
    if (!node)
      return FALSE;
    if (!node->router)
      return fail(ld, ap, error, "node: %s is a host; an access point is a "
                  "router's interface (or bridge the cell onto a lan)",
                  node->name);
  }

  struct link *link = link_new(ld->sim, name, &cell_link_ops, bps, delay);
  link->mtu = (uint32_t)mtu;
  link->queue_limit = (uint32_t)queue;
  struct defined *channel = g_new0(struct defined, 1);
  *channel = (struct defined){.obj = link, .line = d->line};
  g_hash_table_insert(ld->links, g_strdup(name), channel);
  struct cell *cell = cell_new(ld->sim, name, pos, radius, link);
  d->obj = cell;

  bool has_ipv6 = false;
  if (lan)
    cell_bridge(cell, lan);
  else if (!load_iface(ld, ap, link, &has_ipv6, error))
    return FALSE;
  if (loss && !load_loss(ld, loss, link, error))
    return FALSE;
  if (has_ipv6 && mtu < IPV6_MIN_MTU)
    return fail(ld, n, error, "mtu %" G_GUINT64_FORMAT "B is below the "
                "IPv6 minimum of %uB, and %s carries IPv6", mtu,
                IPV6_MIN_MTU, name);
  return TRUE;
}

/* ---- Movement, radios and moves: the children of <host> ---- */

static gboolean load_position(struct loader *ld, xmlNode *n,
                              struct node *node, GError **error) {
  struct vec2 p = {0, 0};
  if (!NEED(ld, n, error, "x", "y") ||
      !get_distance(ld, n, "x", ANY_SIGN, &p.x, error) ||
      !get_distance(ld, n, "y", ANY_SIGN, &p.y, error))
    return FALSE;
  mobility_set(node, mobility_static(p));
  return TRUE;
}

static gboolean load_velocity(struct loader *ld, xmlNode *n,
                              struct node *node, GError **error) {
  struct vec2 p = {0, 0}, v = {0, 0};
  if (!NEED(ld, n, error, "x", "y") ||
      !get_distance(ld, n, "x", ANY_SIGN, &p.x, error) ||
      !get_distance(ld, n, "y", ANY_SIGN, &p.y, error) ||
      !get_speed(ld, n, "vx", ANY_SIGN, &v.x, error) ||
      !get_speed(ld, n, "vy", ANY_SIGN, &v.y, error))
    return FALSE;
  mobility_set(node, mobility_constant_velocity(p, v));
  return TRUE;
}

static int64_t add_saturated(int64_t a, int64_t b) {
  return a > INT64_MAX - b ? INT64_MAX : a + b;
}

/* One <waypoint> after the first: when the host arrives there, given that
 * it leaves the previous one (prev) at time leave. */
static gboolean load_waypoint(struct loader *ld, xmlNode *n,
                              const struct waypoint *prev, int64_t leave,
                              struct waypoint *w, int64_t *arrive,
                              GError **error) {
  if (has_attr(n, "at") == has_attr(n, "speed"))
    return fail(ld, n, error, "give either at or speed (not both)");
  if (has_attr(n, "at")) {
    if (!get_time(ld, n, "at", &w->at, error))
      return FALSE;
    if (w->at <= leave)
      return fail(ld, n, error, "at: the host leaves the previous waypoint "
                  "at %gs and must arrive here after that", seconds(leave));
    *arrive = w->at;
    return TRUE;
  }
  if (!get_speed(ld, n, "speed", POSITIVE, &w->speed, error))
    return FALSE;
  /* As the kernel computes the leg. */
  double ns = hypot(w->pos.x - prev->pos.x, w->pos.y - prev->pos.y) /
              w->speed * 1e9;
  if (ns > (double)MOVE_TIME_MAX)
    return fail(ld, n, error, "speed: at this speed the leg would take "
                "longer than " MOVE_TIME_MAX_TEXT);
  *arrive = add_saturated(leave, (int64_t)llround(ns));
  return TRUE;
}

static gboolean load_waypoints(struct loader *ld, xmlNode *n,
                               struct node *node, GError **error) {
  g_autoptr(GArray) list = g_array_new(FALSE, FALSE, sizeof(struct waypoint));
  int64_t leave = 0; /* when the host leaves the last waypoint so far */
  for (xmlNode *c = n->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE)
      continue;
    struct waypoint w = {.at = -1};
    int64_t arrive = 0;
    if (!NEED(ld, c, error, "x", "y") ||
        !get_distance(ld, c, "x", ANY_SIGN, &w.pos.x, error) ||
        !get_distance(ld, c, "y", ANY_SIGN, &w.pos.y, error) ||
        !get_move_time(ld, c, "pause", &w.pause, error))
      return FALSE;
    if (list->len == 0) {
      /* The first waypoint is where the host is at time 0. */
      if (!has_attr(c, "at") || has_attr(c, "speed"))
        return fail(ld, c, error, "the first waypoint is where the host "
                    "starts: give it at=\"0s\" and no speed");
      if (!get_time(ld, c, "at", &w.at, error))
        return FALSE;
      if (w.at != 0)
        return fail(ld, c, error, "at: the first waypoint is where the host "
                    "starts, at 0s");
    } else if (!load_waypoint(ld, c, &g_array_index(list, struct waypoint,
                                                    list->len - 1),
                              leave, &w, &arrive, error)) {
      return FALSE;
    }
    leave = add_saturated(arrive, w.pause);
    g_array_append_val(list, w);
  }
  if (list->len == 0)
    return fail(ld, n, error, "needs at least one <waypoint>");
  mobility_set(node, mobility_waypoints(g_steal_pointer(&list)));
  return TRUE;
}

static gboolean load_random_waypoint(struct loader *ld, xmlNode *n,
                                     struct node *node, GError **error) {
  struct vec2 lo = {0, 0}, hi = {0, 0}, start = {0, 0};
  double speed_min = 0, speed_max = 0;
  int64_t pause_min = 0, pause_max;
  if (!NEED(ld, n, error, "x-min", "x-max", "y-min", "y-max", "speed-min",
            "speed-max") ||
      !get_distance(ld, n, "x-min", ANY_SIGN, &lo.x, error) ||
      !get_distance(ld, n, "x-max", ANY_SIGN, &hi.x, error) ||
      !get_distance(ld, n, "y-min", ANY_SIGN, &lo.y, error) ||
      !get_distance(ld, n, "y-max", ANY_SIGN, &hi.y, error) ||
      !get_speed(ld, n, "speed-min", POSITIVE, &speed_min, error) ||
      !get_speed(ld, n, "speed-max", POSITIVE, &speed_max, error) ||
      !get_move_time(ld, n, "pause-min", &pause_min, error))
    return FALSE;
  /* Without pause-max, every pause lasts pause-min. */
  pause_max = pause_min;
  if (!get_move_time(ld, n, "pause-max", &pause_max, error))
    return FALSE;
  if (lo.x >= hi.x)
    return fail(ld, n, error, "x-min must be less than x-max");
  if (lo.y >= hi.y)
    return fail(ld, n, error, "y-min must be less than y-max");
  if (speed_min > speed_max)
    return fail(ld, n, error, "speed-min must not be more than speed-max");
  if (pause_min > pause_max)
    return fail(ld, n, error, "pause-min must not be more than pause-max");
  if (hypot(hi.x - lo.x, hi.y - lo.y) / speed_min * 1e9 >
      (double)MOVE_TIME_MAX)
    return fail(ld, n, error, "speed-min: crossing the area at this speed "
                "would take longer than " MOVE_TIME_MAX_TEXT);
  bool has_start = has_attr(n, "x") || has_attr(n, "y");
  if (has_start) {
    if (!NEED(ld, n, error, "x", "y") ||
        !get_distance(ld, n, "x", ANY_SIGN, &start.x, error) ||
        !get_distance(ld, n, "y", ANY_SIGN, &start.y, error))
      return FALSE;
    if (start.x < lo.x || start.x > hi.x || start.y < lo.y || start.y > hi.y)
      return fail(ld, n, error, "x, y: the start (%gm, %gm) is outside the "
                  "area", start.x, start.y);
  }
  g_autofree char *stream = g_strdup_printf("node/%s/movement", node->name);
  struct rng rng;
  sim_rng(ld->sim, &rng, stream);
  mobility_set(node, mobility_random_waypoint(lo, hi, speed_min, speed_max,
                                              pause_min, pause_max, &rng,
                                              has_start ? &start : NULL));
  return TRUE;
}

static const struct {
  const char *element;
  gboolean (*load)(struct loader *ld, xmlNode *n, struct node *node,
                   GError **error);
} movements[] = {
    {"position", load_position},
    {"velocity", load_velocity},
    {"waypoints", load_waypoints},
    {"random-waypoint", load_random_waypoint},
};

/* The radio named name of node, if the node has one. */
static struct iface *find_radio(const struct loader *ld,
                                const struct node *node, const char *name,
                                long *line) {
  g_autofree char *key = g_strdup_printf("%s/%s", node->name, name);
  const struct defined *d = g_hash_table_lookup(ld->radios, key);
  if (d && line)
    *line = d->line;
  return d ? d->obj : NULL;
}

static gboolean load_wireless(struct loader *ld, xmlNode *n,
                              struct node *node, GError **error) {
  if (!NEED(ld, n, error, "name"))
    return FALSE;
  g_autofree char *name = attr(n, "name");
  if (!check_name(ld, n, "name", name, error))
    return FALSE;
  long line = 0;
  if (find_radio(ld, node, name, &line))
    return fail(ld, n, error, "duplicate wireless name '%s' on %s (first "
                "defined on line %ld)", name, node->name, line);
  /* Interfaces are named NODE/LINK or NODE/RADIO in the results. */
  for (uint32_t i = 0; i < node->n_ifaces; i++)
    if (node->ifaces[i]->link &&
        strcmp(node->ifaces[i]->link->name, name) == 0)
      return fail(ld, n, error, "name: %s is attached to a link named '%s'; "
                  "give the radio another name", node->name, name);

  g_autofree char *policy_text = attr(n, "policy");
  enum assoc_policy policy = ASSOC_NEAREST;
  if (policy_text && strcmp(policy_text, "sticky") == 0)
    policy = ASSOC_STICKY;
  else if (policy_text && strcmp(policy_text, "nearest") != 0)
    return fail(ld, n, error, "policy: '%s' is neither nearest nor sticky",
                policy_text);
  double hysteresis = 0;
  int64_t l2_delay = RADIO_DEFAULT_L2_DELAY;
  struct prefix v4 = {0}, v6 = {0};
  if (!get_distance(ld, n, "hysteresis", NOT_NEGATIVE, &hysteresis, error) ||
      !get_move_time(ld, n, "l2-delay", &l2_delay, error) ||
      (has_attr(n, "ipv4") && !get_iface_addr(ld, n, "ipv4", 4, &v4, error)) ||
      (has_attr(n, "ipv6") && !get_iface_addr(ld, n, "ipv6", 6, &v6, error)) ||
      !no_children(ld, n, error))
    return FALSE;

  struct iface *iface = radio_new(node, name, policy, hysteresis, l2_delay);
  if (v4.addr.family)
    iface_add_addr(iface, &v4);
  if (v6.addr.family)
    iface_add_addr(iface, &v6);
  struct defined *d = g_new0(struct defined, 1);
  *d = (struct defined){.obj = iface, .line = line_of(n)};
  g_hash_table_insert(ld->radios, g_strdup_printf("%s/%s", node->name, name),
                      d);
  return TRUE;
}

/* The radio a <move> moves: the one named, or the host's only one. */
static struct iface *move_radio(const struct loader *ld, const xmlNode *n,
                                const struct node *node, GError **error) {
  g_autofree char *name = attr(n, "wireless");
  if (name) {
    struct iface *iface = find_radio(ld, node, name, NULL);
    if (!iface)
      fail(ld, n, error, "wireless: %s has no <wireless> named '%s'",
           node->name, name);
    return iface;
  }
  struct iface *only = NULL;
  unsigned radios = 0;
  for (uint32_t i = 0; i < node->n_ifaces; i++) {
    if (node->ifaces[i]->radio) {
      only = node->ifaces[i];
      radios++;
    }
  }
  if (radios == 0)
    fail(ld, n, error, "%s has no <wireless> to move", node->name);
  else if (radios > 1)
    fail(ld, n, error, "wireless: %s has %u radios; say which one moves",
         node->name, radios);
  return radios == 1 ? only : NULL;
}

static gboolean load_move(struct loader *ld, xmlNode *n, struct node *node,
                          GError **error) {
  int64_t at = 0;
  if (!NEED(ld, n, error, "at", "cell") ||
      !get_time(ld, n, "at", &at, error))
    return FALSE;
  if (at >= ld->sim->duration)
    return fail(ld, n, error, "at: at or after the end of the scenario");
  g_autofree char *cell_name = attr(n, "cell");
  const struct defined *cell = g_hash_table_lookup(ld->cells, cell_name);
  if (!cell)
    return fail(ld, n, error, "cell: there is no cell named '%s'",
                cell_name);
  struct iface *iface = move_radio(ld, n, node, error);
  if (!iface)
    return FALSE;
  /* Equal times would leave the order of two moves to the sort. */
  GArray *moves = iface->radio->moves;
  if (moves && moves->len > 0) {
    int64_t last = g_array_index(moves, struct radio_move, moves->len - 1).at;
    if (at <= last)
      return fail(ld, n, error, "at: the previous move of %s is at %gs; "
                  "moves of a radio go forward in time", iface->name,
                  seconds(last));
  }
  radio_add_move(iface, at, cell->obj);
  return TRUE;
}

/* A radio must be able to join a cell, and every cell it may join must
 * carry its IPv6 packets. */
static gboolean check_radio(const struct loader *ld, const xmlNode *n,
                            const struct node *node, GError **error) {
  g_autofree char *name = attr(n, "name");
  struct iface *iface = find_radio(ld, node, name, NULL);
  GArray *moves = iface->radio->moves;
  if (!moves && !node->mobility)
    return fail(ld, n, error, "%s has a radio but no position or moves: %s "
                "would never join a cell", node->name, name);
  if (!iface_addr(iface, 6))
    return TRUE;
  guint n_cells = moves ? moves->len : ld->sim->cells->len;
  for (guint i = 0; i < n_cells; i++) {
    const struct cell *c =
        moves ? g_array_index(moves, struct radio_move, i).cell
              : g_ptr_array_index(ld->sim->cells, i);
    if (c->link->mtu < IPV6_MIN_MTU)
      return fail(ld, n, error, "ipv6: %s may join cell %s, whose mtu %uB "
                  "is below the IPv6 minimum of %uB", name, c->name,
                  c->link->mtu, IPV6_MIN_MTU);
  }
  return TRUE;
}

static bool is_element(const xmlNode *n, const char *name) {
  return n->type == XML_ELEMENT_NODE &&
         strcmp((const char *)n->name, name) == 0;
}

/* The children of a <host>: its movement first (at most one), then its
 * radios, then their moves, which may come in any order in the file. */
static gboolean load_mobile(struct loader *ld, xmlNode *n, GError **error) {
  struct node *node = ref_node(ld, n, "name", error);
  if (!node)
    return FALSE;
  const xmlNode *movement = NULL;
  for (xmlNode *c = n->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || is_element(c, "wireless") ||
        is_element(c, "move") || module_of(ld, c) ||
        is_service_element(c))
      continue;
    size_t i = 0;
    while (i < G_N_ELEMENTS(movements) &&
           strcmp((const char *)c->name, movements[i].element) != 0)
      i++;
    if (i == G_N_ELEMENTS(movements))
      return cannot_load(ld, c, error);
    if (movement)
      return fail(ld, c, error, "%s already moves as the <%s> on line %ld "
                  "says; a host has one movement", node->name,
                  (const char *)movement->name, line_of(movement));
    movement = c;
    if (!movements[i].load(ld, c, node, error))
      return FALSE;
  }
  for (xmlNode *c = n->children; c; c = c->next)
    if (is_element(c, "wireless") && !load_wireless(ld, c, node, error))
      return FALSE;
  for (xmlNode *c = n->children; c; c = c->next)
    if (is_element(c, "move") && !load_move(ld, c, node, error))
      return FALSE;
  for (xmlNode *c = n->children; c; c = c->next)
    if (is_element(c, "wireless") && !check_radio(ld, c, node, error))
      return FALSE;
  return TRUE;
}

/* ---- <dhcp-server>, <dhcp-client>: children of <router> and <host> ---- */

/* The interface of node on the link named by attribute "link". */
static struct iface *dhcp_link_iface(const struct loader *ld,
                                     const xmlNode *n, struct node *node,
                                     GError **error) {
  struct link *link = ref_link(ld, n, "link", error);
  if (!link)
    return NULL;
  struct iface *iface = node_iface_on(node, link);
  if (!iface)
    fail(ld, n, error, "link: %s is not attached to %s", node->name,
         link->name);
  return iface;
}

/* An IPv4 address attribute; absent leaves *out alone. */
static gboolean get_ipv4(const struct loader *ld, const xmlNode *n,
                         const char *name, uint32_t *out, GError **error) {
  g_autofree char *v = attr(n, name);
  if (!v)
    return TRUE;
  struct ip_addr a;
  g_autoptr(GError) local = NULL;
  if (!addr_parse(v, &a, &local))
    return value_error(ld, n, name, local, error);
  if (a.family != 4)
    return fail(ld, n, error, "%s: '%s' is not an IPv4 address", name, v);
  *out = a.v4;
  return TRUE;
}

static gboolean load_dhcp_server(struct loader *ld, xmlNode *n,
                                 struct node *node, GError **error) {
  if (!node->router)
    return fail(ld, n, error, "%s is a host; a DHCP server runs on a router",
                node->name);
  uint32_t first = 0, last = 0, router = 0;
  int64_t lease = DHCP_DEFAULT_LEASE;
  if (!NEED(ld, n, error, "link", "first", "last"))
    return FALSE;
  struct iface *iface = dhcp_link_iface(ld, n, node, error);
  if (!iface || !get_ipv4(ld, n, "first", &first, error) ||
      !get_ipv4(ld, n, "last", &last, error) ||
      !get_ipv4(ld, n, "router", &router, error) ||
      !get_time(ld, n, "lease", &lease, error))
    return FALSE;
  /* No address the scenario gives an interface may be leased; name the
   * first defined of those the pool holds. */
  GHashTableIter it;
  gpointer key, line;
  const char *taken = NULL;
  long taken_line = 0;
  g_hash_table_iter_init(&it, ld->addrs);
  while (first <= last && g_hash_table_iter_next(&it, &key, &line)) {
    struct ip_addr a;
    long at = (long)GPOINTER_TO_SIZE(line);
    if (addr_parse(key, &a, NULL) && a.family == 4 && a.v4 >= first &&
        a.v4 <= last && (!taken || at < taken_line)) {
      taken = key;
      taken_line = at;
    }
  }
  if (taken) {
    g_autofree char *f = attr(n, "first"), *l = attr(n, "last");
    return fail(ld, n, error, "the pool %s-%s holds %s, the address of the "
                "interface on line %ld", f, l, taken, taken_line);
  }
  g_autoptr(GError) local = NULL;
  struct dhcp_server *s =
      dhcp_server_new(node, iface, first, last, lease, &local);
  if (!s || (has_attr(n, "router") &&
             !dhcp_server_set_router(s, router, &local)))
    return fail(ld, n, error, "%s", local->message);
  return TRUE;
}

static gboolean load_dhcp_client(struct loader *ld, xmlNode *n,
                                 struct node *node, GError **error) {
  if (node->router)
    return fail(ld, n, error, "%s is a router; a DHCP client runs on a host",
                node->name);
  bool wireless = has_attr(n, "wireless"), wired = has_attr(n, "link");
  if (wireless == wired)
    return fail(ld, n, error, "give either wireless (a radio of %s) or link "
                "(a link it is attached to)", node->name);
  struct iface *iface;
  if (wireless) {
    g_autofree char *name = attr(n, "wireless");
    iface = find_radio(ld, node, name, NULL);
    if (!iface)
      return fail(ld, n, error, "wireless: %s has no <wireless> named '%s'",
                  node->name, name);
  } else {
    iface = dhcp_link_iface(ld, n, node, error);
    if (!iface)
      return FALSE;
  }
  const struct prefix *p = iface_addr(iface, 4);
  if (p) {
    char text[ADDR_STRLEN];
    return fail(ld, n, error, "%s already has the IPv4 address %s/%u; the "
                "interface of a DHCP client has none of its own",
                iface->name, addr_format(&p->addr, text), p->len);
  }
  /* With the checks above, and port 68 free of flows until the traffic
   * pass, only a second client for the interface fails here. */
  if (!dhcp_client_new(iface, NULL, NULL, NULL))
    return fail(ld, n, error, "%s already has a DHCP client", iface->name);
  return TRUE;
}

/* The DHCP elements of a <host> or <router>, in document order. */
static gboolean load_dhcp(struct loader *ld, xmlNode *n, GError **error) {
  struct node *node = ref_node(ld, n, "name", error);
  if (!node)
    return FALSE;
  for (xmlNode *c = n->children; c; c = c->next) {
    if (!is_service_element(c))
      continue;
    gboolean ok = strcmp((const char *)c->name, "dhcp-server") == 0
                      ? load_dhcp_server(ld, c, node, error)
                      : load_dhcp_client(ld, c, node, error);
    if (!ok)
      return FALSE;
  }
  return TRUE;
}

/* ---- <route> ---- */

static gboolean load_route(struct loader *ld, xmlNode *n, GError **error) {
  struct node *node = NEED(ld, n, error, "node", "prefix")
                          ? ref_node(ld, n, "node", error)
                          : NULL;
  if (!node)
    return FALSE;
  g_autofree char *text = attr(n, "prefix");
  struct prefix p;
  g_autoptr(GError) local = NULL;
  if (!prefix_parse(text, &p, &local))
    return value_error(ld, n, "prefix", local, error);
  struct prefix net = prefix_network(&p);
  char buf[ADDR_STRLEN];
  if (!addr_equal(&net.addr, &p.addr))
    return fail(ld, n, error, "prefix: %s has host bits set (did you mean "
                "%s/%u?)", text, addr_format(&net.addr, buf), p.len);

  struct iface *oif = NULL;
  if (has_attr(n, "link")) {
    struct link *link = ref_link(ld, n, "link", error);
    if (!link)
      return FALSE;
    oif = node_iface_on(node, link);
    if (!oif)
      return fail(ld, n, error, "link: %s is not attached to %s",
                  node->name, link->name);
  }
  struct ip_addr gw = {0};
  g_autofree char *via = attr(n, "via");
  if (via) {
    if (!addr_parse(via, &gw, &local))
      return value_error(ld, n, "via", local, error);
    if (gw.family != p.addr.family)
      return fail(ld, n, error, "via: %s is not an %s address like the "
                  "prefix %s", via, family_name(p.addr.family), text);
    if (node_has_addr(node, &gw))
      return fail(ld, n, error, "via: %s is an address of %s itself", via,
                  node->name);
    if (oif && !iface_on_link(oif, &gw))
      return fail(ld, n, error, "via: %s is not on a subnet of %s's "
                  "interface on %s", via, node->name, oif->link->name);
  } else if (!oif) {
    return fail(ld, n, error, "needs via (the next router), link (for a "
                "destination on the link), or both");
  }

  g_autofree char *key = g_strdup_printf("%s %s/%u", node->name,
                                         addr_format(&p.addr, buf), p.len);
  gpointer line = g_hash_table_lookup(ld->routes, key);
  if (line)
    return fail(ld, n, error, "%s already has a route to %s (line %ld)",
                node->name, text, (long)GPOINTER_TO_SIZE(line));
  g_hash_table_insert(ld->routes, g_steal_pointer(&key),
                      GSIZE_TO_POINTER((gsize)line_of(n)));

  if (!route_add(node, &p, oif, &gw))
    return fail(ld, n, error, "via: %s is on none of %s's subnets", via,
                node->name);
  return TRUE;
}

/* ---- <cbr>, <ping>, <tcp-bulk>, <tcp-rr> ---- */

/* What every traffic source has: parsed and checked, nodes resolved. */
struct flow_common {
  struct node *from, *to; /* to NULL: a ping to a bare address */
  struct ip_addr dst;
  int family;
  uint64_t size, count, ttl;
  int64_t start;
};

/* Registers the flow's name and resolves from, to, family and address
 * into fc->from, fc->to, fc->dst and fc->family. */
static gboolean load_flow_ends(struct loader *ld, const xmlNode *n,
                               struct flow_common *fc, GError **error) {
  if (!define_name(ld, n, ld->flows, "flow", error) ||
      !NEED(ld, n, error, "from"))
    return FALSE;
  fc->from = ref_node(ld, n, "from", error);
  if (!fc->from)
    return FALSE;
  fc->to = NULL;
  if (has_attr(n, "to")) {
    fc->to = ref_node(ld, n, "to", error);
    if (!fc->to)
      return FALSE;
    if (fc->to == fc->from)
      return fail(ld, n, error, "from and to are both %s",
                  fc->from->name);
  }

  int family = get_family(n);
  g_autofree char *address = attr(n, "address");
  if (address) {
    g_autoptr(GError) local = NULL;
    if (!addr_parse(address, &fc->dst, &local))
      return value_error(ld, n, "address", local, error);
    if (family && fc->dst.family != family)
      return fail(ld, n, error, "address: %s is not an %s address",
                  address, family_name(family));
    family = fc->dst.family;
  } else if (!fc->to) {
    return fail(ld, n, error, "needs to (a node), address, or both");
  } else {
    struct ip_addr a;
    if (!family) {
      if (node_first_addr(fc->from, 4, &a) && node_first_addr(fc->to, 4, &a))
        family = 4;
      else if (node_first_addr(fc->from, 6, &a) &&
               node_first_addr(fc->to, 6, &a))
        family = 6;
      else
        return fail(ld, n, error, "%s and %s have no address family in "
                    "common", fc->from->name, fc->to->name);
    }
    if (!node_first_addr(fc->to, family, &fc->dst))
      return fail(ld, n, error, "to: %s has no %s address", fc->to->name,
                  family_name(family));
  }
  struct ip_addr src;
  if (!node_first_addr(fc->from, family, &src))
    return fail(ld, n, error, "from: %s has no %s address to send from",
                fc->from->name, family_name(family));
  fc->family = family;
  return TRUE;
}

/* The first start of a flow: before the end of the run. */
static gboolean check_start(const struct loader *ld, const xmlNode *n,
                            int64_t start, GError **error) {
  if (start >= ld->sim->duration)
    return fail(ld, n, error, "start: the flow would start at or after "
                "the end of the scenario");
  return TRUE;
}

/* An optional stop: after start, no later than the end of the run. */
static gboolean check_stop(const struct loader *ld, const xmlNode *n,
                           int64_t start, int64_t stop, GError **error) {
  if (has_attr(n, "stop") && (stop <= start || stop > ld->sim->duration))
    return fail(ld, n, error, "stop: must be after start and no later "
                "than the scenario duration");
  return TRUE;
}

/* The flow ends (load_flow_ends), then the common numbers.  default_size
 * applies when size is absent; min_size is the application's header. */
static gboolean load_flow_common(struct loader *ld, const xmlNode *n,
                                 struct flow_common *fc,
                                 uint64_t default_size, uint64_t min_size,
                                 GError **error) {
  if (!load_flow_ends(ld, n, fc, error))
    return FALSE;
  int family = fc->family;
  fc->size = default_size;
  fc->count = 0;
  fc->ttl = DEFAULT_TTL;
  fc->start = 0;
  if (!get_size(ld, n, "size", min_size,
                family == 4 ? MAX_PAYLOAD_V4 : MAX_PAYLOAD_V6, &fc->size,
                error) ||
      !get_count(ld, n, "count", 1, UINT64_MAX, &fc->count, error) ||
      !get_count(ld, n, "ttl", 1, 255, &fc->ttl, error) ||
      !get_time(ld, n, "start", &fc->start, error))
    return FALSE;
  return check_start(ld, n, fc->start, error);
}

/* A port on a sink node receives one flow, whatever its transport: the
 * flows of a node are told apart by port alone in captures and in
 * Wireshark's conversations.  Records port on sink for the element n, or
 * fails naming the element that has it. */
static gboolean claim_port(struct loader *ld, const xmlNode *n,
                           const struct node *sink, uint64_t port,
                           GError **error) {
  g_autofree char *key = g_strdup_printf("%s %" G_GUINT64_FORMAT,
                                         sink->name, port);
  gpointer line = g_hash_table_lookup(ld->ports, key);
  if (line)
    return fail(ld, n, error, "port: %" G_GUINT64_FORMAT "%s on %s is "
                "already used by the flow on line %ld; each flow to a node "
                "needs a port of its own, UDP and TCP alike", port,
                has_attr(n, "port") ? "" : " (the default)", sink->name,
                (long)GPOINTER_TO_SIZE(line));
  g_hash_table_insert(ld->ports, g_steal_pointer(&key),
                      GSIZE_TO_POINTER((gsize)line_of(n)));
  return TRUE;
}

/* The on/off attributes of an <onoff> into cfg. */
static gboolean load_onoff(struct loader *ld, const xmlNode *n,
                           struct cbr_config *cfg, GError **error) {
  int64_t duration = ld->sim->duration;
  if (!NEED(ld, n, error, "on", "off") ||
      !get_time(ld, n, "on", &cfg->on_mean, error) ||
      !get_time(ld, n, "off", &cfg->off_mean, error))
    return FALSE;
  if (cfg->on_mean <= 0 || cfg->on_mean > duration)
    return fail(ld, n, error, "on: must be greater than zero and at most "
                "the scenario duration");
  if (cfg->off_mean <= 0 || cfg->off_mean > duration)
    return fail(ld, n, error, "off: must be greater than zero and at most "
                "the scenario duration");
  g_autofree char *distribution = attr(n, "distribution");
  cfg->onoff = ONOFF_EXPONENTIAL;
  if (distribution && strcmp(distribution, "pareto") == 0)
    cfg->onoff = ONOFF_PARETO;
  else if (distribution && strcmp(distribution, "exponential") != 0)
    return fail(ld, n, error, "distribution: '%s' is neither exponential "
                "nor pareto", distribution);
  if (cfg->onoff != ONOFF_PARETO) {
    if (has_attr(n, "shape"))
      return fail(ld, n, error, "shape: only the pareto distribution has a "
                  "shape");
    return TRUE;
  }
  g_autofree char *shape = attr(n, "shape");
  if (!NEED(ld, n, error, "shape") ||
      !get_number(ld, n, "shape", &cfg->shape, error))
    return FALSE;
  /* With shape 1 or less the mean is infinite. */
  if (cfg->shape <= 1)
    return fail(ld, n, error, "shape: must be greater than 1, not %s",
                shape);
  return TRUE;
}

/* <cbr>, and <onoff>: a CBR source with on and off periods. */
static gboolean load_cbr(struct loader *ld, xmlNode *n, GError **error) {
  struct flow_common fc;
  uint64_t port = DEFAULT_PORT + ld->n_ported++, bps = 0;
  int64_t interval = 0, stop = 0;
  if (!NEED(ld, n, error, "to") ||
      !load_flow_common(ld, n, &fc, DEFAULT_CBR_SIZE, CBR_HEADER_LEN,
                        error) ||
      !get_count(ld, n, "port", 1, 65535, &port, error) ||
      !get_time(ld, n, "interval", &interval, error) ||
      !get_rate(ld, n, "rate", &bps, error) ||
      !get_time(ld, n, "stop", &stop, error))
    return FALSE;

  if (has_attr(n, "interval") == has_attr(n, "rate"))
    return fail(ld, n, error, "give either interval or rate (not both)");
  if (bps) {
    /* The interval that sends size bytes at rate, to the nearest ns. */
    __uint128_t bits_ns = (__uint128_t)fc.size * 8 * 1000000000u;
    interval = (int64_t)((bits_ns + bps / 2) / bps);
    if (interval == 0)
      return fail(ld, n, error, "rate: too high for the size (packets "
                  "would be sent less than 1ns apart)");
  }
  if (interval <= 0)
    return fail(ld, n, error, "interval: must be greater than zero");
  if (!check_stop(ld, n, fc.start, stop, error))
    return FALSE;

  g_autofree char *name = attr(n, "name");
  struct cbr_config cfg = {
      .name = name,
      .from = fc.from,
      .sink = fc.to,
      .dst = fc.dst,
      .port = (uint16_t)port,
      .size = (uint32_t)fc.size,
      .interval = interval,
      .start = fc.start,
      .stop = stop,
      .count = fc.count,
      .ttl = (uint8_t)fc.ttl,
  };
  if (strcmp((const char *)n->name, "onoff") == 0 &&
      !load_onoff(ld, n, &cfg, error))
    return FALSE;
  if (!claim_port(ld, n, fc.to, port, error))
    return FALSE;
  g_autoptr(GError) local = NULL;
  if (!cbr_new(ld->sim, &cfg, &local))
    return fail(ld, n, error, "%s", local->message);
  return TRUE;
}

static gboolean load_ping(struct loader *ld, xmlNode *n, GError **error) {
  struct flow_common fc;
  int64_t interval = SIM_S;
  if (!load_flow_common(ld, n, &fc, DEFAULT_PING_SIZE, PING_MIN_SIZE,
                        error) ||
      !get_time(ld, n, "interval", &interval, error))
    return FALSE;
  if (interval <= 0)
    return fail(ld, n, error, "interval: must be greater than zero");

  g_autofree char *name = attr(n, "name");
  struct ping_config cfg = {
      .name = name,
      .from = fc.from,
      .dst = fc.dst,
      .size = (uint32_t)fc.size,
      .interval = interval,
      .start = fc.start,
      .count = fc.count,
      .ttl = (uint8_t)fc.ttl,
  };
  g_autoptr(GError) local = NULL;
  if (!ping_new(ld->sim, &cfg, &local))
    return fail(ld, n, error, "%s", local->message);
  return TRUE;
}

/* What <tcp-bulk> and <tcp-rr> have: the flow ends, the server's port,
 * start, stop and the advertised window. */
struct tcp_common {
  struct flow_common fc;
  uint64_t port, window;
  int64_t stop;
};

static gboolean load_tcp_common(struct loader *ld, const xmlNode *n,
                                struct tcp_common *tc, GError **error) {
  tc->port = DEFAULT_PORT + ld->n_ported++;
  tc->window = TCP_MAX_RCVBUF;
  tc->stop = 0;
  tc->fc.start = 0;
  if (!NEED(ld, n, error, "to") || !load_flow_ends(ld, n, &tc->fc, error) ||
      !get_count(ld, n, "port", 1, 65535, &tc->port, error) ||
      !get_size(ld, n, "window", 0, UINT64_MAX, &tc->window, error) ||
      !get_time(ld, n, "start", &tc->fc.start, error) ||
      !get_time(ld, n, "stop", &tc->stop, error))
    return FALSE;
  if (tc->window < 1 || tc->window > TCP_MAX_RCVBUF) {
    g_autofree char *window = attr(n, "window");
    return fail(ld, n, error, "window: '%s' is out of range (1B to %uB: "
                "without window scaling TCP advertises at most %u bytes)",
                window, TCP_MAX_RCVBUF, TCP_MAX_RCVBUF);
  }
  return check_start(ld, n, tc->fc.start, error) &&
         check_stop(ld, n, tc->fc.start, tc->stop, error);
}

/* <tcp-bulk>: from sends size bytes (or until stop) to a sink on to. */
static gboolean load_tcp_bulk(struct loader *ld, xmlNode *n, GError **error) {
  struct tcp_common tc;
  uint64_t size = 0;
  if (!load_tcp_common(ld, n, &tc, error) ||
      !get_size(ld, n, "size", 0, UINT64_MAX, &size, error) ||
      !claim_port(ld, n, tc.fc.to, tc.port, error))
    return FALSE;

  g_autofree char *name = attr(n, "name");
  struct tcp_bulk_config cfg = {
      .name = name,
      .from = tc.fc.from,
      .sink = tc.fc.to,
      .dst = tc.fc.dst,
      .port = (uint16_t)tc.port,
      .start = tc.fc.start,
      .stop = tc.stop,
      .bytes = size,
      .rcvbuf = (uint32_t)tc.window,
  };
  g_autoptr(GError) local = NULL;
  if (!tcp_bulk_new(ld->sim, &cfg, &local))
    return fail(ld, n, error, "%s", local->message);
  return TRUE;
}

/* <tcp-rr>: from sends requests over one connection to a server on to,
 * which answers each with a response. */
static gboolean load_tcp_rr(struct loader *ld, xmlNode *n, GError **error) {
  struct tcp_common tc;
  uint64_t request = 0, response = 0, count = 0;
  int64_t think = 0;
  if (!load_tcp_common(ld, n, &tc, error) ||
      !NEED(ld, n, error, "request", "response") ||
      !get_size(ld, n, "request", 1, UINT32_MAX, &request, error) ||
      !get_size(ld, n, "response", 1, UINT32_MAX, &response, error) ||
      !get_time(ld, n, "think", &think, error) ||
      !get_count(ld, n, "count", 0, UINT64_MAX, &count, error))
    return FALSE;
  if (think > ld->sim->duration)
    return fail(ld, n, error, "think: longer than the scenario duration");
  if (!claim_port(ld, n, tc.fc.to, tc.port, error))
    return FALSE;

  g_autofree char *name = attr(n, "name");
  struct tcp_rr_config cfg = {
      .name = name,
      .from = tc.fc.from,
      .sink = tc.fc.to,
      .dst = tc.fc.dst,
      .port = (uint16_t)tc.port,
      .start = tc.fc.start,
      .stop = tc.stop,
      .request = (uint32_t)request,
      .response = (uint32_t)response,
      .think = think,
      .count = count,
      .rcvbuf = (uint32_t)tc.window,
  };
  g_autoptr(GError) local = NULL;
  if (!tcp_rr_new(ld->sim, &cfg, &local))
    return fail(ld, n, error, "%s", local->message);
  return TRUE;
}

/* ---- <fault> ---- */

/* Outages of one link or node must not overlap: the second "down" would
 * be a no-op and the first "up" would end both. */
static gboolean add_outage(struct loader *ld, const xmlNode *n,
                           const char *key, int64_t down, int64_t up,
                           GError **error) {
  GArray *list = g_hash_table_lookup(ld->outages, key);
  if (!list) {
    list = g_array_new(FALSE, FALSE, sizeof(struct outage));
    g_hash_table_insert(ld->outages, g_strdup(key), list);
  }
  for (guint i = 0; i < list->len; i++) {
    const struct outage *o = &g_array_index(list, struct outage, i);
    if (down < o->up && o->down < up)
      return fail(ld, n, error, "overlaps the fault on line %ld", o->line);
  }
  struct outage o = {.down = down, .up = up, .line = line_of(n)};
  g_array_append_val(list, o);
  return TRUE;
}

static gboolean load_fault(struct loader *ld, xmlNode *n, GError **error) {
  bool on_link = has_attr(n, "link");
  if (!NEED(ld, n, error, "down"))
    return FALSE;
  if (on_link == has_attr(n, "node"))
    return fail(ld, n, error, "give either link or node (not both)");
  int64_t duration = ld->sim->duration, down = 0, up = duration;
  if (!get_time(ld, n, "down", &down, error) ||
      !get_time(ld, n, "up", &up, error))
    return FALSE;
  if (down >= duration)
    return fail(ld, n, error, "down: at or after the end of the scenario");
  if (up > duration)
    return fail(ld, n, error, "up: after the end of the scenario");
  if (up <= down)
    return fail(ld, n, error, "up: must be after down");

  struct link *link = on_link ? ref_link(ld, n, "link", error) : NULL;
  struct node *node = on_link ? NULL : ref_node(ld, n, "node", error);
  if (!link && !node)
    return FALSE;
  g_autofree char *key = g_strdup_printf("%s %s", on_link ? "link" : "node",
                                         on_link ? link->name : node->name);
  if (!add_outage(ld, n, key, down, up, error))
    return FALSE;

  bool comes_back = has_attr(n, "up");
  if (link) {
    link_fault_at(link, down, false);
    if (comes_back)
      link_fault_at(link, up, true);
  } else {
    node_fault_at(node, down, false);
    if (comes_back)
      node_fault_at(node, up, true);
  }
  return TRUE;
}

/* ---- The document ---- */

/* <mobility scheme="...">: how the roles are implemented; the scheme must
 * be one that a linked module takes part in. */
static gboolean load_mobility(struct loader *ld, xmlNode *n, GError **error) {
  if (ld->scheme)
    return fail(ld, n, error, "only one <mobility> is allowed (the first is "
                "on line %ld)", ld->mobility_line);
  g_autofree char *scheme = attr(n, "scheme");
  if (!scheme)
    return fail(ld, n, error, "scheme: missing");
  g_autoptr(GPtrArray) known = g_ptr_array_new();
  for (const struct module *const *m = ld->modules; m && *m; m++)
    for (const char *const *s = (*m)->schemes; s && *s; s++) {
      bool dup = false;
      for (guint i = 0; i < known->len; i++)
        dup = dup || strcmp(g_ptr_array_index(known, i), *s) == 0;
      if (!dup)
        g_ptr_array_add(known, (gpointer)*s);
    }
  for (guint i = 0; i < known->len; i++)
    if (strcmp(g_ptr_array_index(known, i), scheme) == 0) {
      ld->scheme = g_steal_pointer(&scheme);
      ld->mobility_line = line_of(n);
      return TRUE;
    }
  if (!known->len)
    return fail(ld, n, error, "scheme: '%s': this build of mipsim has no "
                "module that implements a mobility scheme", scheme);
  g_ptr_array_add(known, NULL);
  g_autofree char *list = g_strjoinv(", ", (char **)known->pdata);
  return fail(ld, n, error, "scheme: '%s' is not a known scheme (%s)",
              scheme, list);
}

/* Top-level elements are handled in passes, so that references may point
 * forward: every node exists before a link attaches it, every LAN before a
 * cell bridges onto it, every cell before a host moves into it, every
 * address before a route or flow resolves it, every radio and interface
 * address before a DHCP server or client uses it.  An element may have a
 * handler in several passes.  Elements that protocol modules add to the
 * schema's scenario.content need an entry here too. */
enum pass {
  PASS_SETTINGS,
  PASS_NODES,
  PASS_LINKS,
  PASS_CELLS,
  PASS_RADIOS,
  PASS_ROUTES,
  PASS_SERVICES,
  PASS_MODULES,
  PASS_TRAFFIC,
  PASS_FAULTS,
  PASS_COUNT
};

static const struct {
  const char *element;
  enum pass pass;
  gboolean (*load)(struct loader *ld, xmlNode *n, GError **error);
} handlers[] = {
    {"description", PASS_SETTINGS, load_description},
    {"routing", PASS_SETTINGS, load_routing},
    {"record", PASS_SETTINGS, load_record},
    {"mobility", PASS_SETTINGS, load_mobility},
    {"host", PASS_NODES, load_node},
    {"router", PASS_NODES, load_node},
    {"link", PASS_LINKS, load_link},
    {"lan", PASS_LINKS, load_link},
    {"cell", PASS_CELLS, load_cell},
    {"host", PASS_RADIOS, load_mobile},
    {"route", PASS_ROUTES, load_route},
    {"host", PASS_SERVICES, load_dhcp},
    {"router", PASS_SERVICES, load_dhcp},
    {"host", PASS_MODULES, load_modules},
    {"router", PASS_MODULES, load_modules},
    {"cbr", PASS_TRAFFIC, load_cbr},
    {"onoff", PASS_TRAFFIC, load_cbr},
    {"ping", PASS_TRAFFIC, load_ping},
    {"tcp-bulk", PASS_TRAFFIC, load_tcp_bulk},
    {"tcp-rr", PASS_TRAFFIC, load_tcp_rr},
    {"fault", PASS_FAULTS, load_fault},
};

static gboolean load_children(struct loader *ld, xmlNode *root,
                              GError **error) {
  for (enum pass pass = 0; pass < PASS_COUNT; pass++) {
    for (xmlNode *n = root->children; n; n = n->next) {
      if (n->type != XML_ELEMENT_NODE)
        continue;
      bool known = false;
      for (size_t i = 0; i < G_N_ELEMENTS(handlers); i++) {
        if (strcmp((const char *)n->name, handlers[i].element) != 0)
          continue;
        known = true;
        if (handlers[i].pass == pass && !handlers[i].load(ld, n, error))
          return FALSE;
      }
      /* A protocol module's scenario-wide element: with the settings. */
      const struct module *m = known ? NULL : module_of(ld, n);
      if (m && m->configure_scenario) {
        known = true;
        struct module_ctx ctx = {.path = ld->path};
        if (pass == PASS_SETTINGS &&
            !m->configure_scenario(ld->sim, n, &ctx, error))
          return FALSE;
      }
      if (!known)
        return cannot_load(ld, n, error);
    }
  }
  return TRUE;
}

/* The scenario's default name: the file name without directory and
 * ".xml". */
static char *default_name(const char *path) {
  char *base = g_path_get_basename(path);
  if (g_str_has_suffix(base, ".xml") && strlen(base) > 4)
    base[strlen(base) - 4] = '\0';
  return base;
}

static struct sim *build(const char *path, xmlNode *root,
                         const struct module *const *modules,
                         const struct scenario_overrides *overrides,
                         GError **error) {
  struct loader ld;
  loader_init(&ld, path, modules);
  g_autofree char *name = attr(root, "name");
  uint64_t seed = 1;
  int64_t duration = 0;
  gboolean ok = NEED(&ld, root, error, "duration") &&
                (!name || check_name(&ld, root, "name", name, error)) &&
                get_count(&ld, root, "seed", 0, UINT64_MAX, &seed, error) &&
                get_time(&ld, root, "duration", &duration, error);
  if (ok && duration <= 0)
    ok = fail(&ld, root, error, "duration: must be greater than zero");
  if (!ok) {
    loader_clear(&ld);
    return NULL;
  }
  if (!name)
    name = default_name(path);
  if (overrides && overrides->has_seed)
    seed = overrides->seed;

  ld.sim = sim_new(name, seed, overrides ? overrides->run : 0);
  ld.sim->duration = duration;
  ld.sim->computed_routes = true;
  ld.sim->metric = ROUTE_METRIC_DELAY;
  for (const struct module *const *m = modules; m && *m; m++)
    module_use(ld.sim, *m);
  ok = load_children(&ld, root, error);
  struct sim *sim = ld.sim;
  loader_clear(&ld);
  if (!ok) {
    sim_free(sim);
    return NULL;
  }
  return sim;
}

struct sim *scenario_load_doc(xmlDoc *doc, const char *path,
                              const struct module *const *modules,
                              const struct scenario_overrides *overrides,
                              GError **error) {
  g_return_val_if_fail(doc != NULL && path != NULL, NULL);
  g_return_val_if_fail(error == NULL || *error == NULL, NULL);
  init_libxml();
  g_autofree char *schema_path = scenario_schema_path();
  if (!validate(doc, path, schema_path, "scenario", error))
    return NULL;
  return build(path, xmlDocGetRootElement(doc), modules, overrides, error);
}

xmlDoc *scenario_read_doc(const char *path, GError **error) {
  g_return_val_if_fail(path != NULL, NULL);
  init_libxml();
  xmlDoc *doc = read_xml(path, MIPSIM_SCENARIO_ERROR_SYNTAX, error);
  if (!doc)
    return NULL;
  g_autofree char *schema_path = scenario_schema_path();
  xmlNode *root = xmlDocGetRootElement(doc);
  const char *start = xmlStrEqual(root->name, BAD_CAST "study") ? "study"
                                                               : "scenario";
  if (!validate(doc, path, schema_path, start, error))
    g_clear_pointer(&doc, xmlFreeDoc);
  return doc;
}

struct sim *scenario_load(const char *path,
                          const struct module *const *modules,
                          const struct scenario_overrides *overrides,
                          GError **error) {
  g_return_val_if_fail(path != NULL, NULL);
  g_return_val_if_fail(error == NULL || *error == NULL, NULL);
  init_libxml();
  xmlDoc *doc = read_xml(path, MIPSIM_SCENARIO_ERROR_SYNTAX, error);
  if (!doc)
    return NULL;
  struct sim *sim = scenario_load_doc(doc, path, modules, overrides, error);
  xmlFreeDoc(doc);
  return sim;
}
