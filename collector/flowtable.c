/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A worker's flow table: a fixed-size chained hash of struct flow, an LRU
 * list for idle expiry and eviction, and an age list for active timeouts
 * and TCP close. It counts packets and bytes but does not classify, log or
 * store: what happens to a closing flow is the close callback's business.
 */
#include "collector/flowtable.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define IPPROTO_TCP_ 6
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10

/* A doubly linked list threaded through the flows by one pair of links. */
struct list {
	struct flow *head, *tail;
};

struct flowtable {
	struct flowtable_config cfg;
	uint64_t seed;
	size_t mask;            /* buckets - 1 */
	struct flow **buckets;  /* owned array; the flows are owned too */
	struct list lru;        /* head: most recently seen */
	struct list age;        /* head: oldest first_ns; open flows only */
	struct list closing;    /* head: oldest close_ns */
	struct flowtable_stats st;
};

/*
 * The two list kinds differ only in which links they use; a macro keeps
 * one implementation for both.
 */
#define LIST_FUNCS(name, prev, next)                                          \
	static inline void name##_unlink(struct list *l, struct flow *f)             \
	{                                                                     \
		if (f->prev != NULL) {                                        \
			f->prev->next = f->next;                              \
		} else {                                                      \
			l->head = f->next;                                    \
		}                                                             \
		if (f->next != NULL) {                                        \
			f->next->prev = f->prev;                              \
		} else {                                                      \
			l->tail = f->prev;                                    \
		}                                                             \
		f->prev = f->next = NULL;                                     \
	}                                                                     \
	static inline void name##_push_head(struct list *l, struct flow *f)          \
	{                                                                     \
		f->prev = NULL;                                               \
		f->next = l->head;                                            \
		if (l->head != NULL) {                                        \
			l->head->prev = f;                                    \
		} else {                                                      \
			l->tail = f;                                          \
		}                                                             \
		l->head = f;                                                  \
	}                                                                     \
	static inline void name##_push_tail(struct list *l, struct flow *f)          \
	{                                                                     \
		f->next = NULL;                                               \
		f->prev = l->tail;                                            \
		if (l->tail != NULL) {                                        \
			l->tail->next = f;                                    \
		} else {                                                      \
			l->head = f;                                          \
		}                                                             \
		l->tail = f;                                                  \
	}

LIST_FUNCS(lru, lru_prev, lru_next)
LIST_FUNCS(age, age_prev, age_next)

void
flowtable_config_default(struct flowtable_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_flows = FLOWTABLE_DEFAULT_MAX_FLOWS;
	cfg->idle_ns = FLOWTABLE_DEFAULT_IDLE_NS;
	cfg->active_ns = FLOWTABLE_DEFAULT_ACTIVE_NS;
	cfg->tcp_grace_ns = FLOWTABLE_DEFAULT_TCP_GRACE_NS;
}

struct flowtable *
flowtable_create(const struct flowtable_config *cfg)
{
	struct flowtable *t = NULL;
	size_t n = 16;

	if (cfg->max_flows == 0 || cfg->max_flows > SIZE_MAX / 4) {
		goto fail;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		goto fail;
	}
	t->cfg = *cfg;
	while (n < cfg->max_flows) {
		n <<= 1;
	}
	t->mask = n - 1;
	t->buckets = calloc(n, sizeof(*t->buckets));
	if (t->buckets == NULL) {
		goto fail;
	}
	t->seed = cfg->seed;
	/* a random seed keeps crafted traffic from piling into one chain */
	if (t->seed == 0 && getrandom(&t->seed, sizeof(t->seed), 0) != sizeof(t->seed)) {
		t->seed = (uint64_t)(uintptr_t)t ^ 0x5bd1e9955bd1e995ULL;
	}
	return t;
fail:
	free(t);
	return NULL;
}

void
flowtable_destroy(struct flowtable *t)
{
	struct flow *f, *next;

	if (t == NULL) {
		return;
	}
	for (f = t->lru.head; f != NULL; f = next) {
		next = f->lru_next;
		free(f);
	}
	free(t->buckets);
	free(t);
}

static struct flow **
bucket_of(struct flowtable *t, const struct flowkey *k)
{
	return &t->buckets[flowkey_hash(k, t->seed) & t->mask];
}

/* Take f out of every structure of the table; the caller frees it. */
static void
unlink_flow(struct flowtable *t, struct flow *f)
{
	struct flow **pp = bucket_of(t, &f->key);

	while (*pp != f) {
		pp = &(*pp)->hnext;
	}
	*pp = f->hnext;
	f->hnext = NULL;
	lru_unlink(&t->lru, f);
	age_unlink(f->close_ns != 0 ? &t->closing : &t->age, f);
	t->st.active--;
}

static void
close_flow(struct flowtable *t, struct flow *f, enum flow_end why,
	   flowtable_close_cb cb, void *arg)
{
	unlink_flow(t, f);
	f->end = why;
	if (cb != NULL) {
		cb(f, arg);
	}
	free(f);
}

struct flow *
flowtable_lookup(struct flowtable *t, const struct flowkey *k,
		 const struct frame *fr, bool src_is_lo, uint64_t now_ns,
		 bool *created)
{
	struct flow **b = bucket_of(t, k);
	struct flow *f;

	if (created != NULL) {
		*created = false;
	}
	for (f = *b; f != NULL; f = f->hnext) {
		if (flowkey_equal(&f->key, k)) {
			break;
		}
	}
	if (f != NULL && f->close_ns != 0 && fr->l4_proto == IPPROTO_TCP_ &&
	    fr->l4_offset != 0 && (fr->tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN) {
		/* a new connection on the port pair of a closed one */
		t->st.tcp_closed++;
		close_flow(t, f, FLOW_END_TCP_CLOSED, t->cfg.close, t->cfg.close_arg);
		f = NULL;
	}
	if (f != NULL) {
		if (f != t->lru.head) {
			lru_unlink(&t->lru, f);
			lru_push_head(&t->lru, f);
		}
		return f;
	}

	if (t->st.active >= t->cfg.max_flows) {
		t->st.evicted++;
		close_flow(t, t->lru.tail, FLOW_END_EVICTED, t->cfg.close,
			   t->cfg.close_arg);
	}
	f = calloc(1, sizeof(*f));
	if (f == NULL) {
		t->st.alloc_failed++;
		return NULL;
	}
	f->key = *k;
	f->orig_is_lo = src_is_lo;
	memcpy(f->orig_ip, src_is_lo ? k->addr_lo : k->addr_hi, sizeof(f->orig_ip));
	memcpy(f->resp_ip, src_is_lo ? k->addr_hi : k->addr_lo, sizeof(f->resp_ip));
	f->orig_port = src_is_lo ? k->port_lo : k->port_hi;
	f->resp_port = src_is_lo ? k->port_hi : k->port_lo;
	f->first_ns = f->last_ns = now_ns;
	f->end = FLOW_END_ACTIVE;
	f->hnext = *b;
	*b = f;
	lru_push_head(&t->lru, f);
	age_push_tail(&t->age, f);
	t->st.active++;
	t->st.created++;
	if (created != NULL) {
		*created = true;
	}
	return f;
}

void
flowtable_account(struct flowtable *t, struct flow *f, const struct frame *fr,
		  bool src_is_lo, uint32_t wirelen, uint64_t now_ns)
{
	bool from_orig = src_is_lo == f->orig_is_lo;
	uint8_t flags = 0;

	if (fr->l4_proto == IPPROTO_TCP_ && fr->l4_offset != 0) {
		flags = fr->tcp_flags;
	}
	if (f->orig_pkts == 0 && f->resp_pkts == 0 && f->close_ns == 0 &&
	    now_ns > f->first_ns) {
		/* first packet after an active-timeout report */
		f->first_ns = now_ns;
		age_unlink(&t->age, f);
		age_push_tail(&t->age, f);
	}
	if (from_orig) {
		f->orig_pkts++;
		f->orig_bytes += wirelen;
		f->tcp_flags_orig |= flags;
	} else {
		f->resp_pkts++;
		f->resp_bytes += wirelen;
		f->tcp_flags_resp |= flags;
	}
	if (now_ns > f->last_ns) {
		f->last_ns = now_ns;
	}
	if (f->close_ns == 0 &&
	    ((flags & TCP_RST) != 0 ||
	     ((f->tcp_flags_orig & f->tcp_flags_resp & TCP_FIN) != 0))) {
		/* from the age list to the closing list, in close order */
		age_unlink(&t->age, f);
		f->close_ns = now_ns != 0 ? now_ns : 1;
		age_push_tail(&t->closing, f);
	}
}

size_t
flowtable_expire(struct flowtable *t, uint64_t now_ns, flowtable_close_cb cb,
		 void *arg)
{
	struct flow *f;
	size_t n = 0;

	if (cb == NULL) {
		cb = t->cfg.close;
		arg = t->cfg.close_arg;
	}
	while ((f = t->closing.head) != NULL && now_ns >= f->close_ns &&
	       now_ns - f->close_ns >= t->cfg.tcp_grace_ns) {
		t->st.tcp_closed++;
		close_flow(t, f, FLOW_END_TCP_CLOSED, cb, arg);
		n++;
	}
	while (t->cfg.idle_ns != 0 && (f = t->lru.tail) != NULL &&
	       now_ns >= f->last_ns && now_ns - f->last_ns >= t->cfg.idle_ns) {
		t->st.expired++;
		close_flow(t, f, f->close_ns != 0 ? FLOW_END_TCP_CLOSED : FLOW_END_IDLE,
			   cb, arg);
		n++;
	}
	while (t->cfg.active_ns != 0 && (f = t->age.head) != NULL &&
	       now_ns >= f->first_ns && now_ns - f->first_ns >= t->cfg.active_ns) {
		/* report, then start the flow's next piece; its first_ns moves
		 * to its first packet (flowtable_account) */
		t->st.active_timeouts++;
		f->end = FLOW_END_ACTIVE_TIMEOUT;
		if (cb != NULL) {
			cb(f, arg);
		}
		f->end = FLOW_END_ACTIVE;
		f->first_ns = now_ns;
		f->orig_pkts = f->orig_bytes = f->resp_pkts = f->resp_bytes = 0;
		f->tcp_flags_orig = f->tcp_flags_resp = 0;
		age_unlink(&t->age, f);
		age_push_tail(&t->age, f);
		n++;
	}
	return n;
}

size_t
flowtable_flush(struct flowtable *t, flowtable_close_cb cb, void *arg)
{
	size_t n = 0;

	if (cb == NULL) {
		cb = t->cfg.close;
		arg = t->cfg.close_arg;
	}
	while (t->lru.tail != NULL) {
		t->st.flushed++;
		close_flow(t, t->lru.tail, FLOW_END_SHUTDOWN, cb, arg);
		n++;
	}
	return n;
}

size_t
flowtable_foreach(struct flowtable *t, flowtable_visit_cb fn, void *arg)
{
	struct flow *f;
	size_t n = 0;

	for (f = t->lru.head; f != NULL; f = f->lru_next) {
		fn(f, arg);
		n++;
	}
	return n;
}

void
flowtable_get_stats(const struct flowtable *t, struct flowtable_stats *st)
{
	*st = t->st;
}
