// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: fork + exec + wait of a tiny static program, 1,500 times in a
 * row. Every exec builds a new mm (a new stub in SECCOMP mode) and every
 * exit tears one down, so this exercises mm creation, the first batch of
 * each stub and teardown.
 *
 * Pass: every child exits with status 0 (no false denial, no false kill).
 */
#include "tap.h"
#include "exec_helpers.h"

#define FORK_EXEC_ROUNDS 1500

int main(int argc, char **argv)
{
	char path[PATH_MAX], why[256] = "";
	int i, failed = 0;

	(void)argc;
	helper_path(argv[0], path, sizeof(path));
	tap_plan(2);

	tap_result(access(path, X_OK) == 0, "helper %s is executable", path);

	for (i = 0; i < FORK_EXEC_ROUNDS; i++) {
		if (run_once(path, why, sizeof(why)) == 0)
			continue;
		if (failed++ < 5)
			tap_diag("round %d: %s", i, why);
	}
	tap_result(failed == 0, "%d fork+exec+wait rounds, %d failed",
		   FORK_EXEC_ROUNDS, failed);
	return tap_exit_status();
}
