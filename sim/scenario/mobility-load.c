/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The loader of a <host>'s movement (<position>, <velocity>,
 * <waypoints>, <random-waypoint>), radios (<wireless>) and <move>s. */
#include "sim/scenario/load.h"

#include <math.h>
#include <string.h>

#include "sim/core/sim.h"
#include "sim/net/iface.h"
#include "sim/net/link.h"
#include "sim/net/node.h"
#include "sim/wireless/cell.h"
#include "sim/wireless/mobility.h"
#include "sim/wireless/radio.h"

/* A movement leg, a pause or a layer-2 handoff longer than about 32 years
 * is a typo; the bound also keeps the kernel's sums of times within 64
 * bits. */
#define MOVE_TIME_MAX (1000000000 * SIM_S)
#define MOVE_TIME_MAX_TEXT "1e9s (about 32 years)"

/* A time no longer than MOVE_TIME_MAX. */
static gboolean get_move_time(const struct load_ctx *ld, const xmlNode *n,
                              const char *name, int64_t *out, GError **error) {
  if (!load_get_time(ld, n, name, out, error))
    return FALSE;
  if (*out > MOVE_TIME_MAX)
    return load_error(error, ld, n, "%s: longer than " MOVE_TIME_MAX_TEXT,
                      name);
  return TRUE;
}

static gboolean load_position(struct load_ctx *ld, xmlNode *n,
                              struct node *node, GError **error) {
  struct vec2 p = {0, 0};
  if (!LOAD_NEED(ld, n, error, "x", "y") ||
      !load_get_distance(ld, n, "x", LOAD_ANY_SIGN, &p.x, error) ||
      !load_get_distance(ld, n, "y", LOAD_ANY_SIGN, &p.y, error))
    return FALSE;
  mobility_set(node, mobility_static(p));
  return TRUE;
}

static gboolean load_velocity(struct load_ctx *ld, xmlNode *n,
                              struct node *node, GError **error) {
  struct vec2 p = {0, 0}, v = {0, 0};
  if (!LOAD_NEED(ld, n, error, "x", "y") ||
      !load_get_distance(ld, n, "x", LOAD_ANY_SIGN, &p.x, error) ||
      !load_get_distance(ld, n, "y", LOAD_ANY_SIGN, &p.y, error) ||
      !load_get_speed(ld, n, "vx", LOAD_ANY_SIGN, &v.x, error) ||
      !load_get_speed(ld, n, "vy", LOAD_ANY_SIGN, &v.y, error))
    return FALSE;
  mobility_set(node, mobility_constant_velocity(p, v));
  return TRUE;
}

static int64_t add_saturated(int64_t a, int64_t b) {
  return a > INT64_MAX - b ? INT64_MAX : a + b;
}

/* One <waypoint> after the first: when the host arrives there, given that
 * it leaves the previous one (prev) at time leave. */
static gboolean load_waypoint(struct load_ctx *ld, xmlNode *n,
                              const struct waypoint *prev, int64_t leave,
                              struct waypoint *w, int64_t *arrive,
                              GError **error) {
  if (load_has_attr(n, "at") == load_has_attr(n, "speed"))
    return load_error(error, ld, n, "give either at or speed (not both)");
  if (load_has_attr(n, "at")) {
    if (!load_get_time(ld, n, "at", &w->at, error))
      return FALSE;
    if (w->at <= leave)
      return load_error(error, ld, n,
                        "at: the host leaves the previous waypoint "
                        "at %gs and must arrive here after that",
                        load_seconds(leave));
    *arrive = w->at;
    return TRUE;
  }
  if (!load_get_speed(ld, n, "speed", LOAD_POSITIVE, &w->speed, error))
    return FALSE;
  /* As the kernel computes the leg. */
  double ns =
      hypot(w->pos.x - prev->pos.x, w->pos.y - prev->pos.y) / w->speed * 1e9;
  if (ns > (double)MOVE_TIME_MAX)
    return load_error(error, ld, n,
                      "speed: at this speed the leg would take "
                      "longer than " MOVE_TIME_MAX_TEXT);
  *arrive = add_saturated(leave, (int64_t)llround(ns));
  return TRUE;
}

static gboolean load_waypoints(struct load_ctx *ld, xmlNode *n,
                               struct node *node, GError **error) {
  g_autoptr(GArray) list = g_array_new(FALSE, FALSE, sizeof(struct waypoint));
  int64_t leave = 0; /* when the host leaves the last waypoint so far */
  for (xmlNode *c = n->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE)
      continue;
    struct waypoint w = {.at = -1};
    int64_t arrive = 0;
    if (!LOAD_NEED(ld, c, error, "x", "y") ||
        !load_get_distance(ld, c, "x", LOAD_ANY_SIGN, &w.pos.x, error) ||
        !load_get_distance(ld, c, "y", LOAD_ANY_SIGN, &w.pos.y, error) ||
        !get_move_time(ld, c, "pause", &w.pause, error))
      return FALSE;
    if (list->len == 0) {
      /* The first waypoint is where the host is at time 0. */
      if (!load_has_attr(c, "at") || load_has_attr(c, "speed"))
        return load_error(error, ld, c,
                          "the first waypoint is where the host "
                          "starts: give it at=\"0s\" and no speed");
      if (!load_get_time(ld, c, "at", &w.at, error))
        return FALSE;
      if (w.at != 0)
        return load_error(error, ld, c,
                          "at: the first waypoint is where the host "
                          "starts, at 0s");
    } else if (!load_waypoint(
                   ld, c, &g_array_index(list, struct waypoint, list->len - 1),
                   leave, &w, &arrive, error)) {
      return FALSE;
    }
    leave = add_saturated(arrive, w.pause);
    g_array_append_val(list, w);
  }
  if (list->len == 0)
    return load_error(error, ld, n, "needs at least one <waypoint>");
  mobility_set(node, mobility_waypoints(g_steal_pointer(&list)));
  return TRUE;
}

static gboolean load_random_waypoint(struct load_ctx *ld, xmlNode *n,
                                     struct node *node, GError **error) {
  struct vec2 lo = {0, 0}, hi = {0, 0}, start = {0, 0};
  double speed_min = 0, speed_max = 0;
  int64_t pause_min = 0, pause_max;
  if (!LOAD_NEED(ld, n, error, "x-min", "x-max", "y-min", "y-max", "speed-min",
                 "speed-max") ||
      !load_get_distance(ld, n, "x-min", LOAD_ANY_SIGN, &lo.x, error) ||
      !load_get_distance(ld, n, "x-max", LOAD_ANY_SIGN, &hi.x, error) ||
      !load_get_distance(ld, n, "y-min", LOAD_ANY_SIGN, &lo.y, error) ||
      !load_get_distance(ld, n, "y-max", LOAD_ANY_SIGN, &hi.y, error) ||
      !load_get_speed(ld, n, "speed-min", LOAD_POSITIVE, &speed_min, error) ||
      !load_get_speed(ld, n, "speed-max", LOAD_POSITIVE, &speed_max, error) ||
      !get_move_time(ld, n, "pause-min", &pause_min, error))
    return FALSE;
  /* Without pause-max, every pause lasts pause-min. */
  pause_max = pause_min;
  if (!get_move_time(ld, n, "pause-max", &pause_max, error))
    return FALSE;
  if (lo.x >= hi.x)
    return load_error(error, ld, n, "x-min must be less than x-max");
  if (lo.y >= hi.y)
    return load_error(error, ld, n, "y-min must be less than y-max");
  if (speed_min > speed_max)
    return load_error(error, ld, n,
                      "speed-min must not be more than speed-max");
  if (pause_min > pause_max)
    return load_error(error, ld, n,
                      "pause-min must not be more than pause-max");
  if (hypot(hi.x - lo.x, hi.y - lo.y) / speed_min * 1e9 > (double)MOVE_TIME_MAX)
    return load_error(error, ld, n,
                      "speed-min: crossing the area at this speed "
                      "would take longer than " MOVE_TIME_MAX_TEXT);
  bool has_start = load_has_attr(n, "x") || load_has_attr(n, "y");
  if (has_start) {
    if (!LOAD_NEED(ld, n, error, "x", "y") ||
        !load_get_distance(ld, n, "x", LOAD_ANY_SIGN, &start.x, error) ||
        !load_get_distance(ld, n, "y", LOAD_ANY_SIGN, &start.y, error))
      return FALSE;
    if (start.x < lo.x || start.x > hi.x || start.y < lo.y || start.y > hi.y)
      return load_error(error, ld, n,
                        "x, y: the start (%gm, %gm) is outside the "
                        "area",
                        start.x, start.y);
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
  gboolean (*load)(struct load_ctx *ld, xmlNode *n, struct node *node,
                   GError **error);
} movements[] = {
    {"position", load_position},
    {"velocity", load_velocity},
    {"waypoints", load_waypoints},
    {"random-waypoint", load_random_waypoint},
};

/* The radio named name of node, if the node has one. */
static const struct load_name *find_radio(const struct load_ctx *ld,
                                          const struct node *node,
                                          const char *name) {
  g_autofree char *key = g_strdup_printf("%s/%s", node->name, name);
  return load_lookup(ld, LOAD_RADIO, key);
}

static gboolean load_wireless(struct load_ctx *ld, xmlNode *n,
                              struct node *node, GError **error) {
  if (!LOAD_NEED(ld, n, error, "name"))
    return FALSE;
  g_autofree char *name = load_attr(n, "name");
  if (!load_check_name(ld, n, "name", name, error))
    return FALSE;
  const struct load_name *old = find_radio(ld, node, name);
  if (old)
    return load_error(error, ld, n,
                      "duplicate wireless name '%s' on %s "
                      "(first defined on line %ld)",
                      name, node->name, old->line);
  /* Interfaces are named NODE/LINK or NODE/RADIO in the results. */
  for (uint32_t i = 0; i < node->n_ifaces; i++)
    if (node->ifaces[i]->link && strcmp(node->ifaces[i]->link->name, name) == 0)
      return load_error(error, ld, n,
                        "name: %s is attached to a link named '%s'; "
                        "give the radio another name",
                        node->name, name);

  static const struct load_keyword policies[] = {
      {"nearest", ASSOC_NEAREST}, {"sticky", ASSOC_STICKY}, {NULL, 0}};
  int policy = ASSOC_NEAREST;
  if (!load_get_keyword(ld, n, "policy", policies, &policy, error))
    return FALSE;
  double hysteresis = 0;
  int64_t l2_delay = RADIO_DEFAULT_L2_DELAY;
  struct prefix v4 = {0}, v6 = {0};
  if (!load_get_distance(ld, n, "hysteresis", LOAD_NOT_NEGATIVE, &hysteresis,
                         error) ||
      !get_move_time(ld, n, "l2-delay", &l2_delay, error) ||
      !load_get_iface_addr(ld, n, "ipv4", 4, &v4, error) ||
      !load_get_iface_addr(ld, n, "ipv6", 6, &v6, error) ||
      !load_no_children(ld, n, error))
    return FALSE;

  struct iface *iface =
      radio_new(node, name, (enum assoc_policy)policy, hysteresis, l2_delay);
  if (v4.addr.family)
    iface_add_addr(iface, &v4);
  if (v6.addr.family)
    iface_add_addr(iface, &v6);
  g_autofree char *key = g_strdup_printf("%s/%s", node->name, name);
  load_define_key(ld, LOAD_RADIO, key, iface, n);
  return TRUE;
}

/* The radio a <move> moves: the one named, or the host's only one. */
static struct iface *move_radio(const struct load_ctx *ld, const xmlNode *n,
                                const struct node *node, GError **error) {
  g_autofree char *name = load_attr(n, "wireless");
  if (name) {
    struct iface *iface = NULL;
    load_radio_ref(ld, n, "wireless", node, &iface, error);
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
    load_error(error, ld, n, "%s has no <wireless> to move", node->name);
  else if (radios > 1)
    load_error(error, ld, n, "wireless: %s has %u radios; say which one moves",
               node->name, radios);
  return radios == 1 ? only : NULL;
}

static gboolean load_move(struct load_ctx *ld, xmlNode *n, struct node *node,
                          GError **error) {
  int64_t at = 0;
  if (!LOAD_NEED(ld, n, error, "at", "cell") ||
      !load_get_time(ld, n, "at", &at, error))
    return FALSE;
  if (at >= ld->sim->duration)
    return load_error(error, ld, n, "at: at or after the end of the scenario");
  struct cell *cell;
  if (!load_cell_ref(ld, n, "cell", &cell, error))
    return FALSE;
  struct iface *iface = move_radio(ld, n, node, error);
  if (!iface)
    return FALSE;
  /* Equal times would leave the order of two moves to the sort. */
  GArray *moves = iface->radio->moves;
  if (moves && moves->len > 0) {
    int64_t last = g_array_index(moves, struct radio_move, moves->len - 1).at;
    if (at <= last)
      return load_error(error, ld, n,
                        "at: the previous move of %s is at %gs; "
                        "moves of a radio go forward in time",
                        iface->name, load_seconds(last));
  }
  radio_add_move(iface, at, cell);
  return TRUE;
}

/* A radio must be able to join a cell, and every cell it may join must
 * carry its IPv6 packets. */
static gboolean check_radio(const struct load_ctx *ld, const xmlNode *n,
                            const struct node *node, GError **error) {
  g_autofree char *name = load_attr(n, "name");
  struct iface *iface = find_radio(ld, node, name)->obj;
  GArray *moves = iface->radio->moves;
  if (!moves && !node->mobility)
    return load_error(error, ld, n,
                      "%s has a radio but no position or moves: %s "
                      "would never join a cell",
                      node->name, name);
  if (!iface_addr(iface, 6))
    return TRUE;
  guint n_cells = moves ? moves->len : ld->sim->cells->len;
  for (guint i = 0; i < n_cells; i++) {
    const struct cell *c = moves
                               ? g_array_index(moves, struct radio_move, i).cell
                               : g_ptr_array_index(ld->sim->cells, i);
    if (c->link->mtu < LOAD_IPV6_MIN_MTU)
      return load_error(error, ld, n,
                        "ipv6: %s may join cell %s, whose mtu %uB "
                        "is below the IPv6 minimum of %uB",
                        name, c->name, c->link->mtu, LOAD_IPV6_MIN_MTU);
  }
  return TRUE;
}

/* The children of a <host>: its movement first (at most one), then its
 * radios, then their moves, which may come in any order in the file. */
gboolean mobility_load_host(struct load_ctx *ld, xmlNode *n, GError **error) {
  struct node *node;
  if (!load_node_ref(ld, n, "name", &node, error))
    return FALSE;
  const xmlNode *movement = NULL;
  for (xmlNode *c = n->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || load_is_element(c, "wireless") ||
        load_is_element(c, "move") || ld->elsewhere(ld, c))
      continue;
    size_t i = 0;
    while (i < G_N_ELEMENTS(movements) &&
           strcmp((const char *)c->name, movements[i].element) != 0)
      i++;
    if (i == G_N_ELEMENTS(movements))
      return load_unknown(error, ld, c);
    if (movement)
      return load_error(error, ld, c,
                        "%s already moves as the <%s> on line %ld "
                        "says; a host has one movement",
                        node->name, (const char *)movement->name,
                        xmlGetLineNo(movement));
    movement = c;
    if (!movements[i].load(ld, c, node, error))
      return FALSE;
  }
  for (xmlNode *c = n->children; c; c = c->next)
    if (load_is_element(c, "wireless") && !load_wireless(ld, c, node, error))
      return FALSE;
  for (xmlNode *c = n->children; c; c = c->next)
    if (load_is_element(c, "move") && !load_move(ld, c, node, error))
      return FALSE;
  for (xmlNode *c = n->children; c; c = c->next)
    if (load_is_element(c, "wireless") && !check_radio(ld, c, node, error))
      return FALSE;
  return TRUE;
}
