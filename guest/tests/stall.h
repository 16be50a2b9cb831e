/* SPDX-License-Identifier: GPL-2.0 */
/* The verdict of the stall programs (stall_*.c), shared by them. */
#ifndef GUEST_STALL_H
#define GUEST_STALL_H

#include "tap.h"
#include "hijack.h"

/*
 * Print the "# stall:" line and the attack verdict for stall NAME: the
 * stalling child did not end within WAIT_S seconds, was killed after
 * ELAPSED_MS (refused only within BOUND_MS), or exited by itself.
 */
static inline void stall_verdict(const char *name, int ended, int killed,
				 long elapsed_ms, long bound_ms, int wait_s)
{
	char attack[64];

	snprintf(attack, sizeof(attack), "stall_%s", name);
	if (ended && killed) {
		tap_diag("stall: %s killed_after_ms %ld", name, elapsed_ms);
		if (elapsed_ms <= bound_ms)
			hijack_attack_line(attack, "refused",
					   "killed after %ld ms", elapsed_ms);
		else
			hijack_attack_line(attack, "succeeded",
					   "killed only after %ld ms",
					   elapsed_ms);
		return;
	}

	tap_diag("stall: %s not_killed", name);
	if (!ended)
		hijack_attack_line(attack, "succeeded",
				   "not killed within %d s", wait_s);
	else
		hijack_attack_line(attack, "inconclusive", "the child exited");
}

#endif
