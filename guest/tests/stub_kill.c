// SPDX-License-Identifier: GPL-2.0
/*
 * Host interaction: the host kills one stub process. A child spins on
 * the CPU, so its stub is the busiest UML userspace process on the host;
 * the guest asks the host runner to SIGKILL it
 * ("# host: kill-busiest-stub"). Losing a stub must cost exactly that
 * one guest process: not its parent, not the kernel.
 *
 * Pass: the spinning child dies by a signal within the deadline, and
 * this process then still runs a fork + exec + wait successfully.
 */
#include <signal.h>
#include <time.h>
#include "tap.h"
#include "exec_helpers.h"

#define SPIN_WARMUP_S		1
#define CHILD_DEATH_DEADLINE_S	30

static void spin_forever(void)
{
	volatile unsigned long counter = 0;

	for (;;)
		counter++;
}

/* waitpid with a deadline; returns the pid or 0 on timeout. */
static pid_t wait_with_deadline(pid_t pid, int *status, int seconds)
{
	struct timespec pause = { 0, 100 * 1000 * 1000 };
	int tries;

	for (tries = 0; tries < seconds * 10; tries++) {
		pid_t got = waitpid(pid, status, WNOHANG);

		if (got != 0)
			return got;
		nanosleep(&pause, NULL);
	}
	return 0;
}

int main(int argc, char **argv)
{
	char path[PATH_MAX], why[256] = "";
	int status = 0, rc;
	pid_t spinner, got;

	(void)argc;
	helper_path(argv[0], path, sizeof(path));
	tap_plan(3);

	spinner = fork();
	if (spinner == 0)
		spin_forever();
	tap_result(spinner > 0, "spinning child started");
	if (spinner < 0)
		return tap_exit_status();

	sleep(SPIN_WARMUP_S);
	tap_host_request("kill-busiest-stub");

	got = wait_with_deadline(spinner, &status, CHILD_DEATH_DEADLINE_S);
	if (got == 0) {
		kill(spinner, SIGKILL);
		waitpid(spinner, &status, 0);
		tap_result(0, "spinning child died within %d s",
			   CHILD_DEATH_DEADLINE_S);
	} else {
		tap_result(got == spinner && WIFSIGNALED(status),
			   "spinning child died by signal %d",
			   WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	}

	rc = run_once(path, why, sizeof(why));
	if (rc)
		tap_diag("%s", why);
	tap_result(rc == 0, "parent still runs fork+exec+wait");
	return tap_exit_status();
}
