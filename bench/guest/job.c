// SPDX-License-Identifier: GPL-2.0
/*
 * job.c - the input of the benchmark's compile workload, not a guest
 * program of its own: the guest compiles this file with the host's gcc
 * (bench compile), then runs the result once as a check that the
 * toolchain really worked. It is an ordinary small program with enough
 * code (parsing, hashing, sorting, arithmetic) to keep cc1 busy for a
 * while at -O2; it tests itself and exits 0 when every check holds.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a bump allocator ------------------------------------------------ */

struct arena {
	unsigned char *base;
	size_t used, size;
};

static void *arena_get(struct arena *a, size_t bytes)
{
	size_t at = (a->used + 15) & ~(size_t)15;

	if (at + bytes > a->size)
		return NULL;
	a->used = at + bytes;
	return a->base + at;
}

/* ---- arithmetic expressions: + - * / % parentheses, unary minus ------- */

struct parser {
	const char *p;
	int error;
};

static long parse_sum(struct parser *ps);

static void skip_blanks(struct parser *ps)
{
	while (*ps->p == ' ' || *ps->p == '\t')
		ps->p++;
}

static long parse_atom(struct parser *ps)
{
	long v = 0;

	skip_blanks(ps);
	if (*ps->p == '-') {
		ps->p++;
		return -parse_atom(ps);
	}
	if (*ps->p == '(') {
		ps->p++;
		v = parse_sum(ps);
		skip_blanks(ps);
		if (*ps->p != ')')
			ps->error = 1;
		else
			ps->p++;
		return v;
	}
	if (*ps->p < '0' || *ps->p > '9') {
		ps->error = 1;
		return 0;
	}
	while (*ps->p >= '0' && *ps->p <= '9')
		v = v * 10 + (*ps->p++ - '0');
	return v;
}

static long parse_product(struct parser *ps)
{
	long v = parse_atom(ps), r;
	char op;

	for (;;) {
		skip_blanks(ps);
		op = *ps->p;
		if (op != '*' && op != '/' && op != '%')
			return v;
		ps->p++;
		r = parse_atom(ps);
		if (op == '*') {
			v *= r;
		} else if (r == 0) {
			ps->error = 1;
			return 0;
		} else {
			v = op == '/' ? v / r : v % r;
		}
	}
}

static long parse_sum(struct parser *ps)
{
	long v = parse_product(ps);
	char op;

	for (;;) {
		skip_blanks(ps);
		op = *ps->p;
		if (op != '+' && op != '-')
			return v;
		ps->p++;
		if (op == '+')
			v += parse_product(ps);
		else
			v -= parse_product(ps);
	}
}

static int evaluate(const char *text, long *out)
{
	struct parser ps = { text, 0 };

	*out = parse_sum(&ps);
	skip_blanks(&ps);
	return ps.error || *ps.p ? -1 : 0;
}

/* ---- word counting in an open-addressing table ------------------------ */

#define TABLE_SLOTS 256

struct slot {
	const char *word;
	size_t len;
	unsigned count;
};

static uint32_t fnv1a(const char *s, size_t len)
{
	uint32_t h = 2166136261u;

	while (len--) {
		h ^= (unsigned char)*s++;
		h *= 16777619u;
	}
	return h;
}

static int count_word(struct slot *table, const char *w, size_t len)
{
	uint32_t i = fnv1a(w, len) % TABLE_SLOTS;
	unsigned probes;

	for (probes = 0; probes < TABLE_SLOTS; probes++) {
		struct slot *s = &table[(i + probes) % TABLE_SLOTS];

		if (!s->word) {
			s->word = w;
			s->len = len;
			s->count = 1;
			return 1;
		}
		if (s->len == len && !memcmp(s->word, w, len)) {
			s->count++;
			return 0;
		}
	}
	return -1;
}

static int count_words(struct slot *table, const char *text)
{
	int distinct = 0;

	while (*text) {
		const char *start;

		while (*text == ' ' || *text == ',' || *text == '.')
			text++;
		start = text;
		while (*text && *text != ' ' && *text != ',' && *text != '.')
			text++;
		if (text > start)
			distinct += count_word(table, start, text - start) > 0;
	}
	return distinct;
}

/* ---- sorting records by key, stable, with a merge sort ---------------- */

struct record {
	int key;
	int seq;
};

static void merge_sort(struct record *r, struct record *tmp, size_t n)
{
	size_t mid = n / 2, i = 0, j = mid, k = 0;

	if (n < 2)
		return;
	merge_sort(r, tmp, mid);
	merge_sort(r + mid, tmp, n - mid);
	while (i < mid && j < n)
		tmp[k++] = r[j].key < r[i].key ? r[j++] : r[i++];
	while (i < mid)
		tmp[k++] = r[i++];
	while (j < n)
		tmp[k++] = r[j++];
	memcpy(r, tmp, n * sizeof(*r));
}

static int sorted_and_stable(const struct record *r, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++) {
		if (r[i - 1].key > r[i].key)
			return 0;
		if (r[i - 1].key == r[i].key && r[i - 1].seq > r[i].seq)
			return 0;
	}
	return 1;
}

/* ---- CRC-32 two ways: bit by bit and by table, which must agree ------- */

static uint32_t crc_bitwise(const unsigned char *d, size_t n)
{
	uint32_t c = 0xffffffffu;
	int b;

	while (n--) {
		c ^= *d++;
		for (b = 0; b < 8; b++)
			c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
	}
	return ~c;
}

static uint32_t crc_table(const unsigned char *d, size_t n)
{
	static uint32_t t[256];
	uint32_t c;
	int i, b;

	if (!t[1]) {
		for (i = 0; i < 256; i++) {
			c = i;
			for (b = 0; b < 8; b++)
				c = c & 1 ? (c >> 1) ^ 0xedb88320u : c >> 1;
			t[i] = c;
		}
	}
	c = 0xffffffffu;
	while (n--)
		c = t[(c ^ *d++) & 0xff] ^ (c >> 8);
	return ~c;
}

/* ---- n! in decimal, one digit per byte, least significant first ------- */

static size_t factorial_digits(unsigned n, unsigned char *dig, size_t cap)
{
	size_t len = 1, i;
	unsigned f, carry;

	dig[0] = 1;
	for (f = 2; f <= n; f++) {
		carry = 0;
		for (i = 0; i < len; i++) {
			carry += dig[i] * f;
			dig[i] = carry % 10;
			carry /= 10;
		}
		while (carry && len < cap) {
			dig[len++] = carry % 10;
			carry /= 10;
		}
	}
	return len;
}

/* ---- the self-test ---------------------------------------------------- */

static int failures;

static void check(int ok, const char *what)
{
	if (!ok) {
		printf("job: check failed: %s\n", what);
		failures++;
	}
}

int main(void)
{
	static const char text[] = "the quick fox, the lazy dog. the end";
	struct slot table[TABLE_SLOTS] = { { 0 } };
	unsigned char digits[64], sum = 0;
	struct record *recs, *tmp;
	struct arena a;
	size_t n, i;
	long v;

	a.size = 1 << 16;
	a.used = 0;
	a.base = malloc(a.size);
	check(a.base != NULL, "malloc");
	if (!a.base)
		return 1;

	check(!evaluate("1 + 2 * 3", &v) && v == 7, "precedence");
	check(!evaluate("(1 + 2) * -3", &v) && v == -9, "parentheses");
	check(!evaluate("100 / 7 % 4 - 10", &v) && v == -8, "division");
	check(evaluate("4 / (2 - 2)", &v) < 0, "division by zero refused");
	check(evaluate("(3", &v) < 0, "unbalanced refused");

	check(count_words(table, text) == 6, "distinct words");
	check(table[fnv1a("the", 3) % TABLE_SLOTS].count == 3 ||
	      table[(fnv1a("the", 3) + 1) % TABLE_SLOTS].count == 3,
	      "word count");

	n = 1000;
	recs = arena_get(&a, n * sizeof(*recs));
	tmp = arena_get(&a, n * sizeof(*tmp));
	check(recs && tmp, "arena");
	if (recs && tmp) {
		for (i = 0; i < n; i++) {
			recs[i].key = (int)((i * 7919u) % 101);
			recs[i].seq = (int)i;
		}
		merge_sort(recs, tmp, n);
		check(sorted_and_stable(recs, n), "merge sort");
	}

	check(crc_bitwise((const unsigned char *)"123456789", 9) == 0xcbf43926u,
	      "crc check value");
	check(crc_table((const unsigned char *)text, sizeof(text) - 1) ==
	      crc_bitwise((const unsigned char *)text, sizeof(text) - 1),
	      "crc table agrees");

	n = factorial_digits(25, digits, sizeof(digits));
	for (i = 0; i < n; i++)
		sum += digits[i];
	check(n == 26 && sum == 72, "25! digits");

	free(a.base);
	if (failures)
		return 1;
	printf("job: all checks passed\n");
	return 0;
}
