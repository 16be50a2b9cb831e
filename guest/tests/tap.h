/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP output for the guest test programs.
 *
 * Each program is one subtest of the guest's KTAP stream, so its lines
 * are indented by four spaces; guest/init prints the enclosing
 * "ok N name" line from the exit status. Lines starting with "# host:"
 * are requests to the host-side runner (see scripts/boot-guest).
 */
#ifndef GUEST_TAP_H
#define GUEST_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int tap_number;
static int tap_failures;

static inline void tap_plan(int count)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("    KTAP version 1\n    1..%d\n", count);
	fflush(stdout);
}

static inline void tap_result(int passed, const char *fmt, ...)
{
	va_list ap;

	printf("    %s %d ", passed ? "ok" : "not ok", ++tap_number);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!passed)
		tap_failures++;
}

static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("    # ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Ask the host runner to act, then give it time to do so. */
static inline void tap_host_request(const char *request)
{
	printf("# host: %s\n", request);
	fflush(stdout);
}

static inline int tap_exit_status(void)
{
	return tap_failures ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif /* GUEST_TAP_H */
