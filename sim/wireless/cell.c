/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Cells, their spatial index, and bridging onto LANs.
 *
 * The index is a uniform grid of square buckets as wide as the largest
 * coverage diameter; each cell is listed in every bucket its disc's
 * bounding box touches, so the cells near a movement segment are found by
 * visiting the buckets of the segment's bounding box instead of checking
 * every cell. */
#include "sim/wireless/cell.h"

#include <math.h>
#include <string.h>

#include "sim/core/pkt.h"
#include "sim/core/sim.h"
#include "sim/net/eth.h"
#include "sim/net/iface.h"
#include "sim/net/link.h"
#include "sim/net/node.h"

struct cell_index {
  double bucket;       /* bucket side, metres */
  GHashTable *buckets; /* packed (bx, by) -> GPtrArray of cells */
  uint32_t stamp;
  bool stale; /* cells were added since the index was built */
};

static gint64 bucket_key(int64_t bx, int64_t by) {
  return (gint64)((uint64_t)(uint32_t)bx << 32 | (uint32_t)by);
}

static struct cell_index *index_of(struct sim *sim) {
  if (!sim->cell_index) {
    sim->cell_index = g_new0(struct cell_index, 1);
    sim->cell_index->stale = true;
  }
  return sim->cell_index;
}

static void index_clear(struct cell_index *ix) {
  if (ix->buckets)
    g_hash_table_destroy(ix->buckets);
  ix->buckets = NULL;
}

static int64_t bucket_of(double v, double side) {
  return (int64_t)floor(v / side);
}

static void index_build(struct sim *sim, struct cell_index *ix) {
  index_clear(ix);
  double largest = 1.0;
  for (guint i = 0; i < sim->cells->len; i++) {
    struct cell *c = g_ptr_array_index(sim->cells, i);
    if (2 * c->radius > largest)
      largest = 2 * c->radius;
  }
  ix->bucket = largest;
  ix->buckets = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                      (GDestroyNotify)g_ptr_array_unref);
  for (guint i = 0; i < sim->cells->len; i++) {
    struct cell *c = g_ptr_array_index(sim->cells, i);
    for (int64_t bx = bucket_of(c->pos.x - c->radius, largest);
         bx <= bucket_of(c->pos.x + c->radius, largest); bx++) {
      for (int64_t by = bucket_of(c->pos.y - c->radius, largest);
           by <= bucket_of(c->pos.y + c->radius, largest); by++) {
        gint64 key = bucket_key(bx, by);
        GPtrArray *list = g_hash_table_lookup(ix->buckets, &key);
        if (!list) {
          list = g_ptr_array_new();
          g_hash_table_insert(ix->buckets, g_memdup2(&key, sizeof key), list);
        }
        g_ptr_array_add(list, c);
      }
    }
  }
  ix->stale = false;
}

static gint by_id(gconstpointer a, gconstpointer b) {
  const struct cell *x = *(struct cell *const *)a;
  const struct cell *y = *(struct cell *const *)b;
  return x->id < y->id ? -1 : x->id > y->id;
}

void cell_query(struct sim *sim, struct vec2 lo, struct vec2 hi,
                GPtrArray *out) {
  struct cell_index *ix = index_of(sim);
  if (ix->stale)
    index_build(sim, ix);
  ix->stamp++;
  g_ptr_array_set_size(out, 0);
  for (int64_t bx = bucket_of(lo.x, ix->bucket);
       bx <= bucket_of(hi.x, ix->bucket); bx++) {
    for (int64_t by = bucket_of(lo.y, ix->bucket);
         by <= bucket_of(hi.y, ix->bucket); by++) {
      gint64 key = bucket_key(bx, by);
      GPtrArray *list = g_hash_table_lookup(ix->buckets, &key);
      for (guint i = 0; list && i < list->len; i++) {
        struct cell *c = g_ptr_array_index(list, i);
        if (c->query_stamp == ix->stamp)
          continue;
        c->query_stamp = ix->stamp;
        /* The disc must meet the box, not just its bucket. */
        double dx = fmax(fmax(lo.x - c->pos.x, 0), c->pos.x - hi.x);
        double dy = fmax(fmax(lo.y - c->pos.y, 0), c->pos.y - hi.y);
        if (dx * dx + dy * dy <= c->radius * c->radius)
          g_ptr_array_add(out, c);
      }
    }
  }
  /* Bucket order depends on hashing: sort so that results (and so ties
   * between equally near cells) do not. */
  g_ptr_array_sort(out, by_id);
}

double cell_bucket_width(struct sim *sim) {
  struct cell_index *ix = index_of(sim);
  if (ix->stale)
    index_build(sim, ix);
  return ix->bucket;
}

const struct link_ops cell_link_ops = {.name = "cell", ETH_LAN_OPS};

/* The mobile end of a frame on the cell, for distance-dependent loss: the
 * sender if it is a radio, else the unicast receiver if it is. */
static double mobile_distance(struct cell *cell, const struct iface *from,
                              const struct pkt *pkt) {
  const struct iface *mobile = from->radio ? from : NULL;
  if (!mobile && pkt->len >= 6 && !(pkt->data[0] & 1)) {
    struct iface *to = eth_lan_station(cell->link, pkt->data);
    if (to && to->radio)
      mobile = to;
  }
  struct node *n = mobile ? mobile->node : NULL;
  if (!n || !n->mobility)
    return 0;
  return cell_distance(cell,
                       mobility_position(n->mobility, sim_now(cell->sim)));
}

/* The channel's loss provider. */
static bool channel_lost(void *ctx, struct link *link, const struct iface *from,
                         const struct pkt *pkt) {
  (void)link;
  struct cell *cell = ctx;
  return cell_frame_lost(cell, mobile_distance(cell, from, pkt));
}

struct cell *cell_of_link(const struct link *link) {
  return link->ops == &cell_link_ops ? link->loss_ctx : NULL;
}

static void cells_free(struct sim *sim);

static const struct sim_subsystem cells = {.name = "cells", .free = cells_free};

struct cell *cell_new(struct sim *sim, const char *name, struct vec2 pos,
                      double radius, struct link *link) {
  g_return_val_if_fail(link->ops == &cell_link_ops, NULL);
  sim_use(sim, &cells);
  struct cell *c = g_new0(struct cell, 1);
  c->sim = sim;
  c->name = g_strdup(name);
  c->id = sim->cells->len;
  c->pos = pos;
  c->radius = radius;
  c->link = link;
  link_set_loss(link, channel_lost, c);
  g_ptr_array_add(sim->cells, c);
  index_of(sim)->stale = true;
  return c;
}

static void cells_free(struct sim *sim) {
  for (guint i = 0; i < sim->cells->len; i++) {
    struct cell *c = g_ptr_array_index(sim->cells, i);
    g_free(c->name);
    g_free(c);
  }
  g_ptr_array_set_size(sim->cells, 0);
  if (sim->cell_index) {
    index_clear(sim->cell_index);
    g_free(sim->cell_index);
    sim->cell_index = NULL;
  }
}

struct cell *sim_find_cell(const struct sim *sim, const char *name) {
  for (guint i = 0; i < sim->cells->len; i++) {
    struct cell *c = g_ptr_array_index(sim->cells, i);
    if (strcmp(c->name, name) == 0)
      return c;
  }
  return NULL;
}

struct node *cell_bridge(struct cell *cell, struct link *lan) {
  struct node *bridge = node_new(cell->sim, cell->name, false);
  eth_bridge(bridge, cell->link, lan);
  return bridge;
}

double cell_distance(const struct cell *cell, struct vec2 p) {
  return hypot(p.x - cell->pos.x, p.y - cell->pos.y);
}

bool cell_frame_lost(struct cell *cell, double d) {
  if (!cell->distance_loss)
    return loss_draw(&cell->link->loss);
  double frac = d / cell->radius;
  if (frac > 1)
    frac = 1;
  double p = cell->loss_near + (cell->loss_edge - cell->loss_near) *
                                   pow(frac, cell->loss_exponent);
  return rng_uniform(&cell->link->loss.rng) < p;
}
