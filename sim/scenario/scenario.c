/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The scenario loader: parses and validates a scenario file with libxml2,
 * then walks the document in passes, handing each element to its loader
 * (sim/scenario/load.h) and each protocol module's element to its module. */
#include "sim/scenario/scenario.h"

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <limits.h>
#include <string.h>

#include "sim/core/sim.h"
#include "sim/net/node.h"
#include "sim/scenario/load.h"
#include "sim/scenario/module.h"

/* Without the -D flags of Makefile.am (a lone compile), fall back to the
 * default autotools prefix rather than refusing to build. */
#ifndef MIPSIM_SCHEMA_DIR
#define MIPSIM_SCHEMA_DIR "/usr/local/share/mipsim/scenarios"
#endif

#define SCHEMA_FILE "mipsim.rng"

/* The first argument is stringified into the domain's name, which
 * spaces would change. */
/* clang-format off */
G_DEFINE_QUARK(mipsim-scenario-error-quark, mipsim_scenario_error)
/* clang-format on */

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
  first_error_set(
      ctxt->_private, "DOCTYPE declarations are not allowed in mipsim files",
      ctxt->input ? ctxt->input->line : 0, XML_FROM_PARSER, XML_ERR_USER_STOP);
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
                g_file_test(path, G_FILE_TEST_EXISTS) ? "not a regular file"
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
  for (xmlNode *n = xmlDocGetRootElement(schema_doc)->children; n; n = n->next)
    if (n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, BAD_CAST "start"))
      for (xmlNode *ref = n->children; ref; ref = ref->next)
        if (ref->type == XML_ELEMENT_NODE)
          xmlSetProp(ref, BAD_CAST "name", BAD_CAST start);
}

/* Checks doc against the schema at schema_path, parsed afresh (a cached
 * schema would be shared state between threads), from the define named
 * start. */
static gboolean validate(xmlDoc *doc, const char *path, const char *schema_path,
                         const char *start, GError **error) {
  if (!g_file_test(schema_path, G_FILE_TEST_EXISTS)) {
    g_set_error(error, MIPSIM_SCENARIO_ERROR, MIPSIM_SCENARIO_ERROR_IO,
                "%s:0: the scenario schema is missing (is mipsim installed? "
                "MIPSIM_SCHEMA_DIR names the directory that holds " SCHEMA_FILE
                ")",
                schema_path);
    return FALSE;
  }
  xmlDoc *schema_doc = read_xml(schema_path, MIPSIM_SCENARIO_ERROR_IO, error);
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
  char *source = g_build_filename(MIPSIM_SOURCE_SCHEMA_DIR, SCHEMA_FILE, NULL);
  if (g_file_test(source, G_FILE_TEST_IS_REGULAR))
    return source;
  g_free(source);
#endif
  return g_build_filename(MIPSIM_SCHEMA_DIR, SCHEMA_FILE, NULL);
}

/* ------------------------------------------------------------------------
 * Building the simulation
 * ------------------------------------------------------------------------ */

/* The document walk's context: the loaders' and which protocol module
 * owns which element. */
struct loader {
  struct load_ctx ctx;  /* first: the walk's own loaders cast back */
  GHashTable *elements; /* element name -> const struct module *: the
                         * registry's, which owns each; a role -> the
                         * first module implementing it */
  const struct module *const *modules; /* the registry */
  char *scheme;                        /* <mobility scheme>; NULL: none yet */
  long mobility_line;
};

static void loader_init(struct loader *ld, const char *path,
                        const struct module *const *modules) {
  *ld = (struct loader){0};
  load_ctx_init(&ld->ctx, path, NULL);
  ld->modules = modules;
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
}

static void loader_clear(struct loader *ld) {
  load_ctx_clear(&ld->ctx);
  g_hash_table_unref(ld->elements);
  g_free(ld->scheme);
}

/* Children of <host> and <router> that are kernel services (DHCP),
 * loaded by the loader itself once the radios exist (dhcp_load_node).  No
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

/* Children of <host> and <router> that later passes load. */
static bool elsewhere(const struct load_ctx *ctx, const xmlNode *n) {
  const struct loader *ld = (const struct loader *)ctx;
  return module_of(ld, n) || is_service_element(n);
}

/* ---- <description> ---- */

/* Free text for the reader only. */
static gboolean load_description(G_GNUC_UNUSED struct load_ctx *ctx,
                                 G_GNUC_UNUSED xmlNode *n,
                                 G_GNUC_UNUSED GError **error) {
  return TRUE;
}

/* ---- <host>, <router> ---- */

/* The module whose settings element n is, or NULL. */
static const struct module *settings_of(const struct loader *ld,
                                        const xmlNode *n) {
  for (const struct module *const *m = ld->modules; m && *m; m++)
    if ((*m)->settings && load_is_element(n, (*m)->settings))
      return *m;
  return NULL;
}

/* The children of a role: its security associations (one per peer) and
 * the settings of linked modules. */
static gboolean check_role(const struct loader *ld, const xmlNode *role,
                           GError **error) {
  struct module_ctx ctx = {.path = ld->ctx.path, .scheme = ld->scheme};
  g_autoptr(GHashTable) peers = g_hash_table_new(g_direct_hash, g_direct_equal);
  for (const xmlNode *c = role->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || load_is_element(c, "mobile"))
      continue;
    if (!load_is_element(c, "security-association")) {
      if (!settings_of(ld, c))
        return load_unknown(error, &ld->ctx, c);
      continue;
    }
    uint32_t peer = 0;
    if (!module_get_v4(c, "peer", &peer, true, &ctx, error))
      return FALSE;
    long first =
        GPOINTER_TO_SIZE(g_hash_table_lookup(peers, GUINT_TO_POINTER(peer)));
    if (first)
      return load_error(error, &ld->ctx, c,
                        "peer: a second association "
                        "with the same peer (the first is on line %ld)",
                        first);
    g_hash_table_insert(peers, GUINT_TO_POINTER(peer),
                        GSIZE_TO_POINTER((gsize)xmlGetLineNo(c)));
  }
  return TRUE;
}

/* Hands role to every module that implements it under the scheme, in
 * the registry's order. */
static gboolean load_role(const struct loader *ld, struct node *node,
                          xmlNode *role, GError **error) {
  if (!ld->scheme)
    return load_error(error, &ld->ctx, role,
                      "a role needs a top-level "
                      "<mobility scheme=\"...\"> to say how it is "
                      "implemented");
  if (!check_role(ld, role, error))
    return FALSE;
  struct module_ctx ctx = {.path = ld->ctx.path, .scheme = ld->scheme};
  bool implemented = false;
  for (const struct module *const *m = ld->modules; m && *m; m++) {
    if (!module_implements(*m, ld->scheme, (const char *)role->name))
      continue;
    implemented = true;
    if (!(*m)->configure(ld->ctx.sim, node, role, &ctx, error))
      return FALSE;
  }
  if (!implemented)
    return load_error(error, &ld->ctx, role,
                      "no module of this build "
                      "implements this role under the scheme %s (line %ld)",
                      ld->scheme, ld->mobility_line);
  return TRUE;
}

/* The protocol modules' elements inside a node, in document order: its
 * roles (at most one of each) and modules' own elements. */
static gboolean load_modules(struct load_ctx *lc, xmlNode *n, GError **error) {
  const struct loader *ld = (const struct loader *)lc;
  struct node *node;
  if (!load_node_ref(lc, n, "name", &node, error))
    return FALSE;
  struct module_ctx ctx = {.path = lc->path, .scheme = ld->scheme};
  const xmlNode *seen[MODULE_N_ROLES] = {0};
  for (xmlNode *c = n->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || is_service_element(c))
      continue;
    for (size_t i = 0; module_roles[i]; i++) {
      if (!load_is_element(c, module_roles[i]))
        continue;
      if (seen[i])
        return load_error(error, lc, c,
                          "%s already has this role (line "
                          "%ld); a node has at most one of each",
                          node->name, xmlGetLineNo(seen[i]));
      seen[i] = c;
    }
    if (module_is_role((const char *)c->name)) {
      if (!load_role(ld, node, c, error))
        return FALSE;
      continue;
    }
    const struct module *m = module_of(ld, c);
    if (m && !m->configure(lc->sim, node, c, &ctx, error))
      return FALSE;
  }
  return TRUE;
}

/* <mobility scheme="...">: how the roles are implemented; the scheme must
 * be one that a linked module takes part in. */
static gboolean load_mobility(struct load_ctx *lc, xmlNode *n, GError **error) {
  struct loader *ld = (struct loader *)lc;
  if (ld->scheme)
    return load_error(error, lc, n,
                      "only one <mobility> is allowed (the "
                      "first is on line %ld)",
                      ld->mobility_line);
  g_autofree char *scheme = load_attr(n, "scheme");
  if (!scheme)
    return load_error(error, lc, n, "scheme: missing");
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
      ld->mobility_line = xmlGetLineNo(n);
      return TRUE;
    }
  if (!known->len)
    return load_error(error, lc, n,
                      "scheme: '%s': this build of mipsim has "
                      "no module that implements a mobility scheme",
                      scheme);
  g_ptr_array_add(known, NULL);
  g_autofree char *list = g_strjoinv(", ", (char **)known->pdata);
  return load_error(error, lc, n, "scheme: '%s' is not a known scheme (%s)",
                    scheme, list);
}

/* ---- The document ---- */

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

/* Each top-level element's loader in each pass, beside what it
 * configures (sim/scenario/load.h). */
static const struct {
  const char *element;
  enum pass pass;
  gboolean (*load)(struct load_ctx *ctx, xmlNode *n, GError **error);
} handlers[] = {
    {"description", PASS_SETTINGS, load_description},
    {"routing", PASS_SETTINGS, route_load_routing},
    {"record", PASS_SETTINGS, results_load_record},
    {"mobility", PASS_SETTINGS, load_mobility},
    {"host", PASS_NODES, node_load_node},
    {"router", PASS_NODES, node_load_node},
    {"link", PASS_LINKS, link_load_link},
    {"lan", PASS_LINKS, link_load_link},
    {"cell", PASS_CELLS, cell_load_cell},
    {"host", PASS_RADIOS, mobility_load_host},
    {"route", PASS_ROUTES, route_load_route},
    {"host", PASS_SERVICES, dhcp_load_node},
    {"router", PASS_SERVICES, dhcp_load_node},
    {"host", PASS_MODULES, load_modules},
    {"router", PASS_MODULES, load_modules},
    {"cbr", PASS_TRAFFIC, traffic_load_cbr},
    {"onoff", PASS_TRAFFIC, traffic_load_cbr},
    {"ping", PASS_TRAFFIC, traffic_load_ping},
    {"tcp-bulk", PASS_TRAFFIC, traffic_load_tcp_bulk},
    {"tcp-rr", PASS_TRAFFIC, traffic_load_tcp_rr},
    {"fault", PASS_FAULTS, fault_load_fault},
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
        if (handlers[i].pass == pass && !handlers[i].load(&ld->ctx, n, error))
          return FALSE;
      }
      /* A protocol module's scenario-wide element: with the settings. */
      const struct module *m = known ? NULL : module_of(ld, n);
      if (m && m->configure_scenario) {
        known = true;
        struct module_ctx ctx = {.path = ld->ctx.path};
        if (pass == PASS_SETTINGS &&
            !m->configure_scenario(ld->ctx.sim, n, &ctx, error))
          return FALSE;
      }
      if (!known)
        return load_unknown(error, &ld->ctx, n);
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
  struct load_ctx *ctx = &ld.ctx;
  ctx->elsewhere = elsewhere;
  g_autofree char *name = load_attr(root, "name");
  uint64_t seed = 1;
  int64_t duration = 0;
  gboolean ok =
      LOAD_NEED(ctx, root, error, "duration") &&
      (!name || load_check_name(ctx, root, "name", name, error)) &&
      load_get_count(ctx, root, "seed", 0, UINT64_MAX, &seed, error) &&
      load_get_duration(ctx, root, "duration", &duration, error);
  if (!ok) {
    loader_clear(&ld);
    return NULL;
  }
  if (!name)
    name = default_name(path);
  if (overrides && overrides->has_seed)
    seed = overrides->seed;

  struct sim *sim = sim_new(name, seed, overrides ? overrides->run : 0);
  ctx->sim = sim;
  sim->duration = duration;
  sim->computed_routes = true;
  sim->metric = ROUTE_METRIC_DELAY;
  for (const struct module *const *m = modules; m && *m; m++)
    module_use(sim, *m);
  ok = load_children(&ld, root, error);
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
  const char *start =
      xmlStrEqual(root->name, BAD_CAST "study") ? "study" : "scenario";
  if (!validate(doc, path, schema_path, start, error))
    g_clear_pointer(&doc, xmlFreeDoc);
  return doc;
}

struct sim *scenario_load(const char *path, const struct module *const *modules,
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
