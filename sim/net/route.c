/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Route lookup.
 *
 * A node's own table holds only its static routes; connected routes are
 * read from its interfaces' addresses.  Computed routes are held per
 * destination prefix, not per node: the prefixes of all links form one
 * table for the run, and the first lookup towards a prefix builds its
 * shortest-path tree (Dijkstra from every node on that prefix, with only
 * routers relaying) as one next hop per node.  Memory then grows with the
 * destinations in use, not with nodes squared: a 50,000-router chain with
 * one flow needs one tree.  Routes are computed from the topology as
 * configured and are not recomputed when links fail (no routing protocol
 * is simulated); the longest match wins between static and computed
 * routes, a static or connected route on a tie.
 *
 * Apart from routing, route_shortest gives the shortest path between two
 * nodes as the topology is at the moment (radios where they are attached),
 * the yardstick of path stretch.  It is cached per pair of nodes, checked
 * against a topology generation and the two endpoints' attachment stamps,
 * and computed from a shortest-path tree kept per root: a mobile node's
 * handoff costs, for each pair it is an endpoint of, a scan of its new
 * cell's stations, and nothing for the other pairs (see below). */
#include "sim/net/route.h"

#include <glib.h>
#include <string.h>

#include "sim/core/sim.h"
#include "sim/net/iface.h"
#include "sim/net/link.h"
#include "sim/net/node.h"

struct static_route {
  struct prefix p;
  struct iface *oif;
  struct ip_addr gw;
};

struct rtable {
  GArray *routes; /* struct static_route */
};

/* Next hop of one node towards one prefix. */
struct rhop {
  uint32_t oif; /* interface id + 1; 0: no route */
  uint32_t gw;  /* the neighbour's interface id */
};

struct rprefix {
  struct prefix p; /* network form */
  GArray *members; /* uint32_t node ids attached to the prefix */
  struct rhop *hops;
};

struct routing {
  uint32_t generation;
  bool built;
  GHashTable *prefixes; /* struct prefix * -> struct rprefix * */
  bool len_used[2][129];
  /* Shortest paths between nodes (route_shortest), and what they were
   * computed from: the topology generation and the endpoints' attachment
   * stamps (route_topology_changed). */
  uint32_t topo_generation;
  GArray *attach_stamps; /* uint32_t per node id, grown on demand */
  GHashTable *shortest;  /* uint64_t (from << 32 | to) -> struct spath */
  GHashTable *trees;     /* root node id -> struct sptree */
  size_t tree_bytes;
};

struct spath {
  uint64_t key;
  uint32_t topo_generation, from_stamp, to_stamp;
  bool found;
  uint32_t hops;
  int64_t prop;
};

static void routing_free(struct sim *sim);
static void rtable_free(struct node *node);

static const struct sim_subsystem routes = {
    .name = "routes", .free = routing_free, .node_free = rtable_free};

static struct routing *routing(struct sim *sim) {
  if (!sim->routing) {
    sim_use(sim, &routes);
    sim->routing = g_new0(struct routing, 1);
    sim->routing->generation = 1;
  }
  return sim->routing;
}

static guint prefix_hash(gconstpointer key) {
  const struct prefix *p = key;
  if (p->addr.family == 4)
    return g_int_hash(&p->addr.v4) ^ p->len;
  guint h = p->len;
  for (int i = 0; i < 16; i++)
    h = h * 31 + p->addr.v6.b[i];
  return h;
}

static gboolean prefix_equal(gconstpointer a, gconstpointer b) {
  const struct prefix *x = a, *y = b;
  return x->len == y->len && addr_equal(&x->addr, &y->addr);
}

static void rprefix_free(gpointer data) {
  struct rprefix *rp = data;
  g_array_free(rp->members, TRUE);
  g_free(rp->hops);
  g_free(rp);
}

static void clear_prefixes(struct routing *r) {
  if (r->prefixes)
    g_hash_table_destroy(r->prefixes);
  r->prefixes = NULL;
  r->built = false;
  memset(r->len_used, 0, sizeof r->len_used);
}

static void routing_free(struct sim *sim) {
  if (!sim->routing)
    return;
  clear_prefixes(sim->routing);
  if (sim->routing->shortest)
    g_hash_table_destroy(sim->routing->shortest);
  if (sim->routing->trees)
    g_hash_table_destroy(sim->routing->trees);
  if (sim->routing->attach_stamps)
    g_array_free(sim->routing->attach_stamps, TRUE);
  g_free(sim->routing);
  sim->routing = NULL;
}

void route_invalidate(struct sim *sim) {
  struct routing *r = routing(sim);
  r->generation++;
  clear_prefixes(r);
}

static void build_prefixes(struct sim *sim, struct routing *r) {
  r->prefixes =
      g_hash_table_new_full(prefix_hash, prefix_equal, NULL, rprefix_free);
  for (guint i = 0; i < sim->ifaces->len; i++) {
    struct iface *iface = g_ptr_array_index(sim->ifaces, i);
    if (iface->radio)
      continue; /* a mobile node is not where its prefix is */
    for (guint a = 0; a < iface->addrs->len; a++) {
      struct prefix net =
          prefix_network(&g_array_index(iface->addrs, struct prefix, a));
      struct rprefix *rp = g_hash_table_lookup(r->prefixes, &net);
      if (!rp) {
        rp = g_new0(struct rprefix, 1);
        rp->p = net;
        rp->members = g_array_new(FALSE, FALSE, sizeof(uint32_t));
        g_hash_table_insert(r->prefixes, &rp->p, rp);
        r->len_used[net.addr.family == 6][net.len] = true;
      }
      g_array_append_val(rp->members, iface->node->id);
    }
  }
  r->built = true;
}

/* A binary heap of (distance, hops, node id) for Dijkstra; the id breaks
 * ties so that trees do not depend on hash or allocation order.  Route
 * trees leave hops at 0. */
struct dheap {
  GArray *items; /* struct ditem */
};
struct ditem {
  int64_t dist;
  uint32_t hops;
  uint32_t node;
};

static bool ditem_before(const struct ditem *a, const struct ditem *b) {
  if (a->dist != b->dist)
    return a->dist < b->dist;
  if (a->hops != b->hops)
    return a->hops < b->hops;
  return a->node < b->node;
}

static void dheap_push(struct dheap *h, struct ditem it) {
  g_array_append_val(h->items, it);
  struct ditem *v = (struct ditem *)(void *)h->items->data;
  guint i = h->items->len - 1;
  while (i > 0 && ditem_before(&it, &v[(i - 1) / 2])) {
    v[i] = v[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  v[i] = it;
}

static struct ditem dheap_pop(struct dheap *h) {
  struct ditem *v = (struct ditem *)(void *)h->items->data;
  struct ditem top = v[0], last = v[h->items->len - 1];
  g_array_set_size(h->items, h->items->len - 1);
  guint n = h->items->len, i = 0;
  for (;;) {
    guint c = 2 * i + 1;
    if (c >= n)
      break;
    if (c + 1 < n && ditem_before(&v[c + 1], &v[c]))
      c++;
    if (!ditem_before(&v[c], &last))
      break;
    v[i] = v[c];
    i = c;
  }
  if (n)
    v[i] = last;
  return top;
}

static void compute_tree(struct sim *sim, struct rprefix *rp) {
  guint n = sim->nodes->len;
  int family = rp->p.addr.family;
  int64_t *dist = g_new(int64_t, n);
  for (guint i = 0; i < n; i++)
    dist[i] = INT64_MAX;
  rp->hops = g_new0(struct rhop, n);
  struct dheap heap = {g_array_new(FALSE, FALSE, sizeof(struct ditem))};
  for (guint i = 0; i < rp->members->len; i++) {
    uint32_t id = g_array_index(rp->members, uint32_t, i);
    if (dist[id] != 0) {
      dist[id] = 0;
      dheap_push(&heap, (struct ditem){.dist = 0, .node = id});
    }
  }
  while (heap.items->len) {
    struct ditem it = dheap_pop(&heap);
    if (it.dist != dist[it.node])
      continue;
    struct node *u = g_ptr_array_index(sim->nodes, it.node);
    if (!u->router)
      continue; /* hosts do not relay */
    for (uint32_t i = 0; i < u->n_ifaces; i++) {
      struct iface *ui = u->ifaces[i];
      if (ui->radio || !ui->link || !iface_addr(ui, family))
        continue; /* no next-hop address of this family to route via */
      struct link *link = ui->link;
      int64_t w = sim->metric == ROUTE_METRIC_HOPS ? 1 : link->delay + 1;
      for (uint32_t k = 0; k < link->n_ends; k++) {
        struct iface *vi = link->ends[k];
        if (vi == ui || vi->radio)
          continue;
        uint32_t v = vi->node->id;
        if (it.dist + w < dist[v]) {
          dist[v] = it.dist + w;
          rp->hops[v] = (struct rhop){.oif = vi->id + 1, .gw = ui->id};
          dheap_push(&heap, (struct ditem){.dist = dist[v], .node = v});
        }
      }
    }
  }
  g_array_free(heap.items, TRUE);
  g_free(dist);
}

/* Longest computed prefix holding dst; its length in *len. */
static struct rprefix *computed_match(struct sim *sim,
                                      const struct ip_addr *dst, int *len) {
  struct routing *r = routing(sim);
  if (!r->built)
    build_prefixes(sim, r);
  int fam = dst->family == 6;
  for (int l = fam ? 128 : 32; l >= 0; l--) {
    if (!r->len_used[fam][l])
      continue;
    struct prefix key = {.addr = *dst, .len = (uint8_t)l};
    key = prefix_network(&key);
    struct rprefix *rp = g_hash_table_lookup(r->prefixes, &key);
    if (rp) {
      *len = l;
      return rp;
    }
  }
  return NULL;
}

static bool lookup_uncached(struct node *node, const struct ip_addr *dst,
                            struct nexthop *out) {
  int best = -1;
  for (uint32_t i = 0; i < node->n_ifaces; i++) {
    GArray *addrs = node->ifaces[i]->addrs;
    for (guint a = 0; a < addrs->len; a++) {
      const struct prefix *p = &g_array_index(addrs, struct prefix, a);
      if (p->len > best && prefix_contains(p, dst)) {
        best = p->len;
        *out = (struct nexthop){.oif = node->ifaces[i]};
      }
    }
  }
  if (node->rt) {
    for (guint i = 0; i < node->rt->routes->len; i++) {
      struct static_route *s =
          &g_array_index(node->rt->routes, struct static_route, i);
      if (s->p.len > best && prefix_contains(&s->p, dst)) {
        best = s->p.len;
        *out = (struct nexthop){.oif = s->oif, .gw = s->gw};
      }
    }
  }
  struct sim *sim = node->sim;
  if (!sim->computed_routes)
    return best >= 0;
  int len;
  struct rprefix *rp = computed_match(sim, dst, &len);
  if (!rp || len <= best)
    return best >= 0;
  if (!rp->hops)
    compute_tree(sim, rp);
  struct rhop hop = rp->hops[node->id];
  if (hop.oif == 0)
    return best >= 0;
  struct iface *gw = g_ptr_array_index(sim->ifaces, hop.gw);
  out->oif = g_ptr_array_index(sim->ifaces, hop.oif - 1);
  out->gw = iface_addr(gw, dst->family)->addr;
  return true;
}

/* addr_equal, with IPv4 inline: the cache is asked on every hop. */
static inline bool same_dst(const struct ip_addr *a, const struct ip_addr *b) {
  if (a->family == 4 && b->family == 4)
    return a->v4 == b->v4;
  return addr_equal(a, b);
}

bool route_lookup(struct node *node, const struct ip_addr *dst,
                  struct nexthop *out) {
  struct route_cache *c = &node->rcache;
  uint32_t gen = routing(node->sim)->generation;
  if (c->generation == gen && same_dst(&c->dst, dst)) {
    if (!c->oif)
      return false;
    *out = (struct nexthop){.oif = c->oif, .gw = c->gw};
    return true;
  }
  struct nexthop nh = {0};
  bool found = lookup_uncached(node, dst, &nh);
  *c = (struct route_cache){.dst = *dst,
                            .generation = gen,
                            .oif = found ? nh.oif : NULL,
                            .gw = nh.gw};
  if (found)
    *out = nh;
  return found;
}

bool route_add(struct node *node, const struct prefix *p, struct iface *oif,
               const struct ip_addr *gw) {
  struct static_route r = {.p = prefix_network(p), .oif = oif};
  if (gw)
    r.gw = *gw;
  if (!oif) {
    for (uint32_t i = 0; i < node->n_ifaces && gw; i++)
      if (iface_on_link(node->ifaces[i], gw))
        r.oif = node->ifaces[i];
    if (!r.oif)
      return false;
  }
  if (!node->rt) {
    sim_use(node->sim, &routes);
    node->rt = g_new0(struct rtable, 1);
    node->rt->routes = g_array_new(FALSE, FALSE, sizeof(struct static_route));
  }
  route_del(node, p);
  g_array_append_val(node->rt->routes, r);
  routing(node->sim)->generation++;
  return true;
}

bool route_del(struct node *node, const struct prefix *p) {
  if (!node->rt)
    return false;
  struct prefix net = prefix_network(p);
  for (guint i = 0; i < node->rt->routes->len; i++) {
    struct static_route *s =
        &g_array_index(node->rt->routes, struct static_route, i);
    if (s->p.len == net.len && addr_equal(&s->p.addr, &net.addr)) {
      g_array_remove_index(node->rt->routes, i);
      routing(node->sim)->generation++;
      return true;
    }
  }
  return false;
}

static void rtable_free(struct node *node) {
  if (!node->rt)
    return;
  g_array_free(node->rt->routes, TRUE);
  g_free(node->rt);
  node->rt = NULL;
}

/* ---- shortest paths between nodes, for path stretch -------------------
 *
 * A path's intermediate nodes relay (routers and bridges); its endpoints
 * may be anything.  Links are undirected with one delay, so the shortest
 * path is the same both ways, and a host's own attachment matters only
 * for the last link of paths that end at it.  So a shortest-path tree is
 * kept per root (an endpoint that is not a mobile host, if there is one),
 * valid until the topology generation or the root's own attachment stamp
 * changes; the distance to a relay is read from the tree, to a host from
 * its neighbours on the links it is on now.  After a mobile node's handoff
 * the pair costs a scan of its cell's stations, not a Dijkstra.  Shared
 * links are pseudo-nodes in the Dijkstra (entered at the link's delay and
 * one hop, left for free), so that a LAN of k relays costs k relaxations,
 * not k squared. */

/* Trees above this many bytes in all are dropped and rebuilt on demand. */
#define SPTREE_BUDGET (64u << 20)

struct sptree {
  uint32_t topo_generation, root_stamp;
  guint n;       /* nodes covered (the node count when built) */
  int64_t *dist; /* per node id; INT64_MAX: not reached */
  uint32_t *hops;
};

static void sptree_free(gpointer data) {
  struct sptree *t = data;
  g_free(t->dist);
  g_free(t->hops);
  g_free(t);
}

/* Routers relay, and so do bridges (nodes with bridge ports). */
static bool node_relays(const struct node *n) {
  if (n->router)
    return true;
  for (uint32_t i = 0; i < n->n_ifaces; i++)
    if (n->ifaces[i]->bridge_peer)
      return true;
  return false;
}

/* A host with a radio: its attachment changes by itself. */
static bool node_mobile(const struct node *n) {
  if (node_relays(n))
    return false;
  for (uint32_t i = 0; i < n->n_ifaces; i++)
    if (n->ifaces[i]->radio)
      return true;
  return false;
}

static uint32_t attach_stamp(const struct routing *r, uint32_t node) {
  GArray *a = r->attach_stamps;
  return a && node < a->len ? g_array_index(a, uint32_t, node) : 0;
}

void route_topology_changed(struct iface *iface) {
  struct node *n = iface->node;
  struct routing *r = routing(n->sim);
  if (!iface->radio || node_relays(n)) {
    r->topo_generation++;
    return;
  }
  /* A host's radio: only paths from or to the host change. */
  if (!r->attach_stamps)
    r->attach_stamps = g_array_new(FALSE, TRUE, sizeof(uint32_t));
  if (n->id >= r->attach_stamps->len)
    g_array_set_size(r->attach_stamps, n->id + 1);
  g_array_index(r->attach_stamps, uint32_t, n->id)++;
}

/* Relax state v to (d, h). */
static void relax(struct dheap *heap, int64_t *dist, uint32_t *hops, uint32_t v,
                  int64_t d, uint32_t h) {
  if (d < dist[v] || (d == dist[v] && h < hops[v])) {
    dist[v] = d;
    hops[v] = h;
    dheap_push(heap, (struct ditem){.dist = d, .hops = h, .node = v});
  }
}

/* Dijkstra from root by (propagation delay, links) over nodes (states
 * 0..n-1) and links (n + link id); only the root and relays are
 * expanded.  Fills t for the nodes. */
static void sptree_build(struct sim *sim, struct node *root, struct sptree *t) {
  guint n = sim->nodes->len, states = n + sim->links->len;
  int64_t *dist = g_new(int64_t, states);
  uint32_t *hops = g_new(uint32_t, states);
  for (guint i = 0; i < states; i++) {
    dist[i] = INT64_MAX;
    hops[i] = UINT32_MAX;
  }
  struct dheap heap = {g_array_new(FALSE, FALSE, sizeof(struct ditem))};
  relax(&heap, dist, hops, root->id, 0, 0);
  while (heap.items->len) {
    struct ditem it = dheap_pop(&heap);
    if (it.dist != dist[it.node] || it.hops != hops[it.node])
      continue;         /* superseded */
    if (it.node >= n) { /* a link: on to every station */
      struct link *link = g_ptr_array_index(sim->links, it.node - n);
      for (uint32_t k = 0; k < link->n_ends; k++)
        relax(&heap, dist, hops, link->ends[k]->node->id, it.dist, it.hops);
      continue;
    }
    struct node *u = g_ptr_array_index(sim->nodes, it.node);
    if (u != root && !node_relays(u))
      continue; /* hosts do not relay */
    for (uint32_t i = 0; i < u->n_ifaces; i++) {
      struct link *link = u->ifaces[i]->link; /* a radio: its cell, or none */
      if (link)
        relax(&heap, dist, hops, n + link->id, it.dist + link->delay,
              it.hops + 1);
    }
  }
  g_array_free(heap.items, TRUE);
  t->n = n;
  t->dist = g_renew(int64_t, dist, n);
  t->hops = g_renew(uint32_t, hops, n);
}

/* The valid tree rooted at root, built if needed. */
static struct sptree *sptree_get(struct sim *sim, struct routing *r,
                                 struct node *root) {
  if (!r->trees)
    r->trees =
        g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, sptree_free);
  struct sptree *t = g_hash_table_lookup(r->trees, GUINT_TO_POINTER(root->id));
  uint32_t stamp = attach_stamp(r, root->id);
  if (t && t->topo_generation == r->topo_generation && t->root_stamp == stamp)
    return t;
  if (t) {
    r->tree_bytes -= t->n * (sizeof *t->dist + sizeof *t->hops);
    g_hash_table_remove(r->trees, GUINT_TO_POINTER(root->id));
  }
  size_t bytes = sim->nodes->len * (sizeof *t->dist + sizeof *t->hops);
  if (r->tree_bytes + bytes > SPTREE_BUDGET) {
    g_hash_table_remove_all(r->trees);
    r->tree_bytes = 0;
  }
  t = g_new0(struct sptree, 1);
  sptree_build(sim, root, t);
  t->topo_generation = r->topo_generation;
  t->root_stamp = stamp;
  r->tree_bytes += bytes;
  g_hash_table_insert(r->trees, GUINT_TO_POINTER(root->id), t);
  return t;
}

/* From the tree of root to node v: a relay or the root is read from the
 * tree; a host is reached over one of its links now from a neighbour the
 * tree reached that relays (or is the root). */
static bool sptree_to(const struct sptree *t, const struct node *root,
                      const struct node *v, int64_t *prop, uint32_t *hops) {
  int64_t best = INT64_MAX;
  uint32_t best_hops = UINT32_MAX;
  if (v == root || node_relays(v)) {
    if (v->id < t->n) {
      best = t->dist[v->id];
      best_hops = t->hops[v->id];
    }
  } else {
    for (uint32_t i = 0; i < v->n_ifaces; i++) {
      const struct link *link = v->ifaces[i]->link;
      for (uint32_t k = 0; link && k < link->n_ends; k++) {
        const struct node *u = link->ends[k]->node;
        if (u == v || u->id >= t->n || t->dist[u->id] == INT64_MAX ||
            (u != root && !node_relays(u)))
          continue;
        int64_t d = t->dist[u->id] + link->delay;
        uint32_t h = t->hops[u->id] + 1;
        if (d < best || (d == best && h < best_hops)) {
          best = d;
          best_hops = h;
        }
      }
    }
  }
  if (best == INT64_MAX)
    return false;
  *prop = best;
  *hops = best_hops;
  return true;
}

bool route_shortest(struct sim *sim, struct node *from, struct node *to,
                    int64_t *prop, uint32_t *hops) {
  struct routing *r = routing(sim);
  if (!r->shortest)
    r->shortest =
        g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, g_free);
  uint64_t key = (uint64_t)from->id << 32 | to->id;
  uint32_t fs = attach_stamp(r, from->id), ts = attach_stamp(r, to->id);
  struct spath *sp = g_hash_table_lookup(r->shortest, &key);
  if (!sp) {
    sp = g_new0(struct spath, 1);
    sp->key = key;
    sp->topo_generation = r->topo_generation - 1; /* stale */
    g_hash_table_insert(r->shortest, &sp->key, sp);
  }
  if (sp->topo_generation != r->topo_generation || sp->from_stamp != fs ||
      sp->to_stamp != ts) {
    /* Root the tree at the end that stays put, if one does: paths are the
     * same both ways. */
    bool swap = node_mobile(from) && !node_mobile(to);
    struct node *root = swap ? to : from, *other = swap ? from : to;
    if (from == to) {
      sp->found = true;
      sp->prop = 0;
      sp->hops = 0;
    } else {
      struct sptree *t = sptree_get(sim, r, root);
      sp->found = sptree_to(t, root, other, &sp->prop, &sp->hops);
    }
    sp->topo_generation = r->topo_generation;
    sp->from_stamp = fs;
    sp->to_stamp = ts;
  }
  if (!sp->found)
    return false;
  *prop = sp->prop;
  *hops = sp->hops;
  return true;
}
