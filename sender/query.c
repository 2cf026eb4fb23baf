/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The --query language of query.h: a tokenizer, a Pratt parser with
 * JMESPath's binding powers (so projections stop where JMESPath's do) and
 * an evaluator over jansson values. Nothing here does I/O or logs.
 */
#include "sender/query.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

enum tok {
	T_EOF,
	T_IDENT,     /* unquoted or quoted identifier */
	T_NUMBER,
	T_DOT,
	T_STAR,
	T_FLATTEN,   /* "[]" */
	T_LBRACKET,
	T_RBRACKET,
	T_LBRACE,
	T_RBRACE,
	T_COMMA,
	T_COLON,
	T_CURRENT,   /* "@" */
};

enum kind {
	N_CURRENT,
	N_FIELD,      /* name */
	N_INDEX,      /* index, applied to the current value */
	N_SUB,        /* right applied to left's value */
	N_FLATTEN,    /* left's array, one level flattened */
	N_PROJECT,    /* right applied to each element of left's array */
	N_HASH,       /* n items under keys */
	N_LIST,       /* n items */
};

struct node {
	enum kind kind;
	char *name;             /* owned: N_FIELD */
	long index;             /* N_INDEX */
	struct node *left;      /* owned */
	struct node *right;     /* owned */
	struct node **items;    /* owned: N_HASH, N_LIST */
	char **keys;            /* owned: N_HASH */
	size_t n;
};

struct query {
	struct node *root;      /* owned */
};

struct parser {
	const char *src;        /* borrowed: the expression */
	size_t pos;             /* where the next token starts */
	enum tok tok;           /* the current token */
	size_t tok_pos;
	char *text;             /* owned: current T_IDENT's name */
	long number;            /* current T_NUMBER */
	int depth;
	char *err;              /* borrowed: the caller's buffer */
	size_t errlen;
	bool failed;
};

static void
node_free(struct node *n)
{
	if (n == NULL) {
		return;
	}
	node_free(n->left);
	node_free(n->right);
	for (size_t i = 0; i < n->n; i++) {
		node_free(n->items[i]);
		if (n->keys != NULL) {
			free(n->keys[i]);
		}
	}
	free(n->items);
	free(n->keys);
	free(n->name);
	free(n);
}

static struct node *
node_new(enum kind kind, struct node *left, struct node *right)
{
	struct node *n = calloc(1, sizeof(*n));

	if (n == NULL) {
		node_free(left);
		node_free(right);
		return NULL;
	}
	n->kind = kind;
	n->left = left;
	n->right = right;
	return n;
}

static void
fail(struct parser *p, size_t pos, const char *why)
{
	if (!p->failed) {
		snprintf(p->err, p->errlen, "invalid --query at character %zu: %s",
			 pos + 1, why);
		p->failed = true;
	}
}

/* Read the next token into p. */
static void
next(struct parser *p)
{
	const char *s = p->src;
	size_t i = p->pos;

	free(p->text);
	p->text = NULL;
	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\n') {
		i++;
	}
	p->tok_pos = i;
	if (s[i] == '\0') {
		p->tok = T_EOF;
		p->pos = i;
		return;
	}
	if (isalpha((unsigned char)s[i]) || s[i] == '_') {
		size_t start = i;

		while (isalnum((unsigned char)s[i]) || s[i] == '_') {
			i++;
		}
		p->text = strndup(s + start, i - start);
		p->tok = T_IDENT;
		p->pos = i;
		return;
	}
	if (s[i] == '"') {
		size_t len = 0;
		char *out = malloc(strlen(s + i) + 1);

		if (out == NULL) {
			fail(p, i, "out of memory");
			p->tok = T_EOF;
			return;
		}
		for (i++; s[i] != '"'; i++) {
			if (s[i] == '\0') {
				free(out);
				fail(p, p->tok_pos, "unterminated quoted identifier");
				p->tok = T_EOF;
				p->pos = i;
				return;
			}
			if (s[i] == '\\' && (s[i + 1] == '"' || s[i + 1] == '\\')) {
				i++;
			}
			out[len++] = s[i];
		}
		out[len] = '\0';
		p->text = out;
		p->tok = T_IDENT;
		p->pos = i + 1;
		return;
	}
	if (isdigit((unsigned char)s[i]) || (s[i] == '-' && isdigit((unsigned char)s[i + 1]))) {
		char *end;

		errno = 0;
		p->number = strtol(s + i, &end, 10);
		if (errno != 0) {
			fail(p, i, "number out of range");
		}
		p->tok = T_NUMBER;
		p->pos = (size_t)(end - s);
		return;
	}
	p->pos = i + 1;
	switch (s[i]) {
	case '.':
		p->tok = T_DOT;
		return;
	case '*':
		p->tok = T_STAR;
		return;
	case '[':
		if (s[i + 1] == ']') {
			p->tok = T_FLATTEN;
			p->pos = i + 2;
		} else if (s[i + 1] == '?') {
			fail(p, i, "filters ([?...]) are not supported");
			p->tok = T_EOF;
		} else {
			p->tok = T_LBRACKET;
		}
		return;
	case ']':
		p->tok = T_RBRACKET;
		return;
	case '{':
		p->tok = T_LBRACE;
		return;
	case '}':
		p->tok = T_RBRACE;
		return;
	case ',':
		p->tok = T_COMMA;
		return;
	case ':':
		p->tok = T_COLON;
		return;
	case '@':
		p->tok = T_CURRENT;
		return;
	case '|':
		fail(p, i, "pipes are not supported (supported: a.b, [N], [], [*], {k: a}, [a, b])");
		break;
	case '(':
	case '&':
	case '`':
	case '\'':
		fail(p, i, "functions, literals and operators are not supported");
		break;
	default:
		fail(p, i, "unexpected character");
		break;
	}
	p->tok = T_EOF;
}

/* JMESPath's left binding powers of the tokens this subset knows. */
static int
bp(enum tok t)
{
	switch (t) {
	case T_FLATTEN:
		return 9;
	case T_STAR:
		return 20;
	case T_DOT:
		return 40;
	case T_LBRACE:
		return 50;
	case T_LBRACKET:
		return 55;
	default:
		return 0;
	}
}

#define PROJECTION_STOP 10

static struct node *expression(struct parser *p, int rbp);

static bool
expect(struct parser *p, enum tok t, const char *what)
{
	if (p->tok != t) {
		fail(p, p->tok_pos, what);
		return false;
	}
	next(p);
	return true;
}

/* After '[': "N]" as an index node on the current value. */
static struct node *
index_node(struct parser *p)
{
	struct node *n;

	if (p->tok != T_NUMBER) {
		fail(p, p->tok_pos, "expected a number");
		return NULL;
	}
	if ((n = node_new(N_INDEX, NULL, NULL)) == NULL) {
		return NULL;
	}
	n->index = p->number;
	next(p);
	if (p->tok == T_COLON) {
		fail(p, p->tok_pos, "slices are not supported");
		node_free(n);
		return NULL;
	}
	if (!expect(p, T_RBRACKET, "expected ']'")) {
		node_free(n);
		return NULL;
	}
	return n;
}

static bool
grow(struct node *n)
{
	struct node **items = realloc(n->items, (n->n + 1) * sizeof(*items));

	if (items == NULL) {
		return false;
	}
	n->items = items;
	if (n->kind == N_HASH) {
		char **keys = realloc(n->keys, (n->n + 1) * sizeof(*keys));

		if (keys == NULL) {
			return false;
		}
		n->keys = keys;
	}
	return true;
}

/* After '[': "a, b, ...]". */
static struct node *
multi_list(struct parser *p)
{
	struct node *n = node_new(N_LIST, NULL, NULL), *item;

	while (n != NULL) {
		if ((item = expression(p, 0)) == NULL || !grow(n)) {
			node_free(item);
			node_free(n);
			return NULL;
		}
		n->items[n->n++] = item;
		if (p->tok == T_RBRACKET) {
			next(p);
			return n;
		}
		if (!expect(p, T_COMMA, "expected ',' or ']'")) {
			node_free(n);
			return NULL;
		}
	}
	return NULL;
}

/* After '{': "key: expr, ...}". */
static struct node *
multi_hash(struct parser *p)
{
	struct node *n = node_new(N_HASH, NULL, NULL), *item;
	char *key;

	while (n != NULL) {
		if (p->tok != T_IDENT) {
			fail(p, p->tok_pos, "expected a key name");
			node_free(n);
			return NULL;
		}
		key = p->text;
		p->text = NULL;
		next(p);
		if (!expect(p, T_COLON, "expected ':'") ||
		    (item = expression(p, 0)) == NULL || !grow(n)) {
			free(key);
			node_free(n);
			return NULL;
		}
		n->keys[n->n] = key;
		n->items[n->n++] = item;
		if (p->tok == T_RBRACE) {
			next(p);
			return n;
		}
		if (!expect(p, T_COMMA, "expected ',' or '}'")) {
			node_free(n);
			return NULL;
		}
	}
	return NULL;
}

/* What follows a '.': an identifier, a multiselect list or hash. */
static struct node *
dot_rhs(struct parser *p, int rbp)
{
	switch (p->tok) {
	case T_IDENT:
		return expression(p, rbp);
	case T_LBRACKET:
		next(p);
		return multi_list(p);
	case T_LBRACE:
		next(p);
		return multi_hash(p);
	case T_STAR:
		fail(p, p->tok_pos, "object projections (.*) are not supported");
		return NULL;
	default:
		fail(p, p->tok_pos, "expected a name after '.'");
		return NULL;
	}
}

/* What a projection applies to each element: up to a lower binding power. */
static struct node *
projection_rhs(struct parser *p, int rbp)
{
	if (bp(p->tok) < PROJECTION_STOP) {
		return node_new(N_CURRENT, NULL, NULL);
	}
	if (p->tok == T_LBRACKET) {
		return expression(p, rbp);
	}
	if (p->tok == T_DOT) {
		next(p);
		return dot_rhs(p, rbp);
	}
	fail(p, p->tok_pos, "expected '.', '[' or the end after a projection");
	return NULL;
}

static struct node *
project(struct parser *p, struct node *left, int rbp)
{
	struct node *right;

	if (left == NULL) {
		return NULL;
	}
	if ((right = projection_rhs(p, rbp)) == NULL) {
		node_free(left);
		return NULL;
	}
	return node_new(N_PROJECT, left, right);
}

static struct node *
nud(struct parser *p)
{
	struct node *n;

	switch (p->tok) {
	case T_IDENT:
		if ((n = node_new(N_FIELD, NULL, NULL)) != NULL) {
			n->name = p->text;
			p->text = NULL;
		}
		next(p);
		return n;
	case T_CURRENT:
		next(p);
		return node_new(N_CURRENT, NULL, NULL);
	case T_FLATTEN:
		next(p);
		return project(p, node_new(N_FLATTEN, node_new(N_CURRENT, NULL, NULL), NULL),
			       bp(T_FLATTEN));
	case T_LBRACE:
		next(p);
		return multi_hash(p);
	case T_LBRACKET:
		next(p);
		if (p->tok == T_NUMBER || p->tok == T_COLON) {
			return index_node(p);
		}
		if (p->tok == T_STAR) {
			next(p);
			if (!expect(p, T_RBRACKET, "expected ']' after '[*'")) {
				return NULL;
			}
			return project(p, node_new(N_CURRENT, NULL, NULL), bp(T_STAR));
		}
		return multi_list(p);
	case T_STAR:
		fail(p, p->tok_pos, "object projections (*) are not supported");
		return NULL;
	case T_EOF:
		fail(p, p->tok_pos, "unexpected end");
		return NULL;
	default:
		fail(p, p->tok_pos, "unexpected token");
		return NULL;
	}
}

static struct node *
led(struct parser *p, enum tok t, struct node *left)
{
	struct node *right;

	switch (t) {
	case T_DOT:
		if ((right = dot_rhs(p, bp(T_DOT))) == NULL) {
			node_free(left);
			return NULL;
		}
		return node_new(N_SUB, left, right);
	case T_FLATTEN:
		return project(p, node_new(N_FLATTEN, left, NULL), bp(T_FLATTEN));
	case T_LBRACKET:
		if (p->tok == T_NUMBER || p->tok == T_COLON) {
			if ((right = index_node(p)) == NULL) {
				node_free(left);
				return NULL;
			}
			return node_new(N_SUB, left, right);
		}
		if (p->tok == T_STAR) {
			next(p);
			if (!expect(p, T_RBRACKET, "expected ']' after '[*'")) {
				node_free(left);
				return NULL;
			}
			return project(p, left, bp(T_STAR));
		}
		fail(p, p->tok_pos, "expected a number or '*' after '['");
		node_free(left);
		return NULL;
	default:
		fail(p, p->tok_pos, "unexpected token");
		node_free(left);
		return NULL;
	}
}

static struct node *
expression(struct parser *p, int rbp)
{
	struct node *left;

	if (++p->depth > MAX_DEPTH) {
		fail(p, p->tok_pos, "nested too deeply");
		return NULL;
	}
	left = nud(p);
	while (left != NULL && !p->failed && rbp < bp(p->tok)) {
		enum tok t = p->tok;

		next(p);
		left = led(p, t, left);
	}
	p->depth--;
	if (p->failed) {
		node_free(left);
		return NULL;
	}
	return left;
}

struct query *
query_compile(const char *expr, char *err, size_t errlen)
{
	struct parser p = { .src = expr, .err = err, .errlen = errlen };
	struct query *q;
	struct node *root;

	next(&p);
	root = expression(&p, 0);
	if (root != NULL && p.tok != T_EOF) {
		fail(&p, p.tok_pos, "unexpected text after the expression");
	}
	free(p.text);
	if (p.failed || root == NULL) {
		if (!p.failed) {
			snprintf(err, errlen, "invalid --query: out of memory");
		}
		node_free(root);
		return NULL;
	}
	if ((q = malloc(sizeof(*q))) == NULL) {
		snprintf(err, errlen, "invalid --query: out of memory");
		node_free(root);
		return NULL;
	}
	q->root = root;
	return q;
}

/*
 * Values the evaluation may still build: nested projections and
 * multiselects multiply their input, so an expression could otherwise
 * ask for more memory than there is. Past the budget, results are null.
 */
#define QUERY_MAX_VALUES (1u << 20)

static bool
spend(size_t *left, size_t n)
{
	if (*left < n) {
		*left = 0;
		return false;
	}
	*left -= n;
	return true;
}

static json_t *
eval(const struct node *n, const json_t *v, size_t *left)
{
	json_t *l, *out, *e, *r;
	size_t i;

	switch (n->kind) {
	case N_CURRENT:
		return json_incref((json_t *)v);
	case N_FIELD:
		out = json_is_object(v) ? json_object_get(v, n->name) : NULL;
		return out != NULL ? json_incref(out) : json_null();
	case N_INDEX:
		if (!json_is_array(v)) {
			return json_null();
		}
		if (n->index >= 0) {
			i = (size_t)n->index;
		} else if (-(size_t)n->index <= json_array_size(v)) {
			/* negated as size_t: -LONG_MIN is not a long */
			i = json_array_size(v) - -(size_t)n->index;
		} else {
			return json_null();
		}
		out = json_array_get(v, i);
		return out != NULL ? json_incref(out) : json_null();
	case N_SUB:
		l = eval(n->left, v, left);
		out = eval(n->right, l, left);
		json_decref(l);
		return out;
	case N_FLATTEN:
		l = eval(n->left, v, left);
		if (!json_is_array(l)) {
			json_decref(l);
			return json_null();
		}
		out = json_array();
		json_array_foreach(l, i, e) {
			if (!spend(left, json_is_array(e) ? json_array_size(e) : 1)) {
				break;
			}
			if (json_is_array(e)) {
				json_array_extend(out, e);
			} else {
				json_array_append(out, e);
			}
		}
		json_decref(l);
		return out;
	case N_PROJECT:
		l = eval(n->left, v, left);
		if (!json_is_array(l)) {
			json_decref(l);
			return json_null();
		}
		out = json_array();
		json_array_foreach(l, i, e) {
			if (!spend(left, 1)) {
				break;
			}
			r = eval(n->right, e, left);
			if (!json_is_null(r)) {
				json_array_append_new(out, r);
			}
		}
		json_decref(l);
		return out;
	case N_HASH:
		if (json_is_null(v)) {
			return json_null();
		}
		out = json_object();
		for (i = 0; i < n->n && spend(left, 1); i++) {
			json_object_set_new(out, n->keys[i], eval(n->items[i], v, left));
		}
		return out;
	case N_LIST:
		if (json_is_null(v)) {
			return json_null();
		}
		out = json_array();
		for (i = 0; i < n->n && spend(left, 1); i++) {
			json_array_append_new(out, eval(n->items[i], v, left));
		}
		return out;
	}
	return json_null();
}

json_t *
query_apply(const struct query *q, const json_t *data)
{
	size_t left = QUERY_MAX_VALUES;
	json_t *out = eval(q->root, data, &left);

	if (left == 0) {
		/* over the budget: a partial answer would mislead */
		json_decref(out);
		return json_null();
	}
	return out;
}

void
query_free(struct query *q)
{
	if (q == NULL) {
		return;
	}
	node_free(q->root);
	free(q);
}
