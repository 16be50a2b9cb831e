/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stub statistics of the patched kernel (debugfs uml/stub_stats,
 * "key value" per line), for the attack programs: each one takes a
 * snapshot right before the step that must be refused and one after
 * the attack, and asserts that the kernel counted the refusal, e.g.
 * mmap_denied grew by the refused stub mmap.
 *
 * The counters are global to the guest, so the snapshots are only
 * meaningful while the attack program is the only thing running, which
 * guest/init ensures. They are taken with ordinary guest system calls
 * (open/read), never from the stub page.
 *
 * On a kernel without the file (the base kernel) the check is one
 * failed TAP point saying so.
 */
#ifndef GUEST_STUB_STATS_H
#define GUEST_STUB_STATS_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "tap.h"

#define STUB_STATS_PATH		"/sys/kernel/debug/uml/stub_stats"
#define STUB_STATS_MAX		24
#define STUB_STATS_KEY		32

struct stub_stats {
	/* 1: read; 0: never taken; negative: -errno of the failed read */
	int state;
	int count;
	struct {
		char key[STUB_STATS_KEY];
		unsigned long long value;
	} entry[STUB_STATS_MAX];
};

/* Take a snapshot. 0, or -errno (also left in s->state). */
static inline int stub_stats_read(struct stub_stats *s)
{
	char buf[4096], *line, *next;
	size_t len = 0;
	ssize_t n;
	int fd;

	memset(s, 0, sizeof(*s));
	fd = open(STUB_STATS_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return s->state = -errno;
	while (len < sizeof(buf) - 1 &&
	       (n = read(fd, buf + len, sizeof(buf) - 1 - len)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			s->state = -errno;
			close(fd);
			return s->state;
		}
		len += n;
	}
	close(fd);
	buf[len] = 0;

	for (line = buf; *line && s->count < STUB_STATS_MAX; line = next) {
		char key[STUB_STATS_KEY];
		unsigned long long value;

		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		if (sscanf(line, "%31s %llu", key, &value) != 2)
			continue;
		snprintf(s->entry[s->count].key, STUB_STATS_KEY, "%s", key);
		s->entry[s->count].value = value;
		s->count++;
	}
	if (!s->count)
		return s->state = -ENODATA;
	s->state = 1;
	return 0;
}

/* VALUE of KEY: 0, or -ENOENT when the kernel does not report it. */
static inline int stub_stats_get(const struct stub_stats *s, const char *key,
				 unsigned long long *value)
{
	int i;

	for (i = 0; s->state == 1 && i < s->count; i++) {
		if (strcmp(s->entry[i].key, key) == 0) {
			*value = s->entry[i].value;
			return 0;
		}
	}
	return -ENOENT;
}

/* Why a snapshot is unusable, for a message; NULL when it is usable. */
static inline const char *stub_stats_problem(const struct stub_stats *s,
					     char *buf, size_t size)
{
	if (s->state == 1)
		return NULL;
	if (s->state == 0)
		snprintf(buf, size, "no snapshot taken");
	else if (s->state == -ENODATA)
		snprintf(buf, size, "%s holds no counters", STUB_STATS_PATH);
	else
		snprintf(buf, size, "stub statistics not available (%s: %s; "
			 "an unpatched kernel, or debugfs not mounted)",
			 STUB_STATS_PATH, strerror(-s->state));
	return buf;
}

/* One diagnostic line with every counter that changed. */
static inline void stub_stats_diag_changes(const struct stub_stats *before,
					   const struct stub_stats *after)
{
	char line[512] = "";
	size_t used = 0;
	int i;

	for (i = 0; i < after->count && used < sizeof(line); i++) {
		unsigned long long old = 0;

		if (stub_stats_get(before, after->entry[i].key, &old) ||
		    old == after->entry[i].value)
			continue;
		used += snprintf(line + used, sizeof(line) - used, " %s+%lld",
				 after->entry[i].key,
				 (long long)(after->entry[i].value - old));
	}
	tap_diag("stub_stats changed:%s", used ? line : " nothing");
}

/*
 * One TAP point: the kernel counted the refusal of WHAT, i.e. at least
 * one of KEYS (comma-separated) grew from BEFORE to AFTER. A key that
 * neither snapshot reports is named as not reported; the point fails if
 * none of the keys is reported.
 */
static inline void stub_stats_expect_growth(const struct stub_stats *before,
					    const struct stub_stats *after,
					    const char *keys, const char *what)
{
	char why[256], list[128], shown[256] = "", *key, *save = NULL;
	size_t used = 0;
	int grew = 0, reported = 0;

	if (before->state == 0 && after->state == 1) {
		tap_result(0, "%s counted by the kernel (%s): no snapshot was "
			   "taken before the step that must be refused (the "
			   "attack did not get that far)", what, keys);
		return;
	}
	if (stub_stats_problem(before, why, sizeof(why)) ||
	    stub_stats_problem(after, why, sizeof(why))) {
		tap_result(0, "%s counted by the kernel (%s): %s", what, keys,
			   why);
		return;
	}
	stub_stats_diag_changes(before, after);

	snprintf(list, sizeof(list), "%s", keys);
	for (key = strtok_r(list, ",", &save); key;
	     key = strtok_r(NULL, ",", &save)) {
		unsigned long long old, now;

		if (stub_stats_get(before, key, &old) ||
		    stub_stats_get(after, key, &now)) {
			used += snprintf(shown + used, sizeof(shown) - used,
					 "%s%s not reported", used ? ", " : "",
					 key);
			if (used >= sizeof(shown))
				used = sizeof(shown) - 1;
			continue;
		}
		reported = 1;
		if (now > old)
			grew = 1;
		used += snprintf(shown + used, sizeof(shown) - used,
				 "%s%s %llu -> %llu", used ? ", " : "", key,
				 old, now);
		if (used >= sizeof(shown))
			used = sizeof(shown) - 1;
	}
	tap_result(reported && grew, "%s counted by the kernel: %s", what,
		   shown);
}

#endif /* GUEST_STUB_STATS_H */
