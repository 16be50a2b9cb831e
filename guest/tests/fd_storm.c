// SPDX-License-Identifier: GPL-2.0
/*
 * Stress with host interaction: 2,000 short-lived processes, each
 * fork + exec + wait. Before and after, the host runner is asked to
 * count the open file descriptors of the UML monitor process
 * ("# host: sample-fds before|after"). Every mm teardown must release
 * the descriptors the monitor holds for its stub.
 *
 * Pass: every child exits 0 here; the host emits its own TAP line and
 * passes when the "after" count is at most "before" + 2.
 */
#include "tap.h"
#include "exec_helpers.h"

#define STORM_PROCESSES		2000
#define HOST_SAMPLE_WAIT_S	2

int main(int argc, char **argv)
{
	char path[PATH_MAX], why[256] = "";
	int i, failed = 0;

	(void)argc;
	helper_path(argv[0], path, sizeof(path));
	tap_plan(1);

	tap_host_request("sample-fds before");
	sleep(HOST_SAMPLE_WAIT_S);

	for (i = 0; i < STORM_PROCESSES; i++) {
		if (run_once(path, why, sizeof(why)) == 0)
			continue;
		if (failed++ < 5)
			tap_diag("process %d: %s", i, why);
	}

	tap_host_request("sample-fds after");
	sleep(HOST_SAMPLE_WAIT_S);

	tap_result(failed == 0, "%d short-lived processes, %d failed",
		   STORM_PROCESSES, failed);
	return tap_exit_status();
}
