// SPDX-License-Identifier: GPL-2.0
/*
 * Attack: unmap the stub from the stub code page.
 *
 * Through the hijack primitive a child asks the host to munmap the
 * stub's data pages (its signal stack and the block it shares with the
 * UML kernel). On the base kernel the stub filter allows any munmap from
 * the code page, so the call returns 0; the process is then unusable,
 * since its next system call or signal needs the stub, and it dies.
 * The data pages are the target rather than the code page because the
 * "ret" after the system call lives in the code page: without it the
 * child could never record the result.
 *
 * The child records the result in a shared page with plain stores
 * (after a successful unmap, a write() to a pipe would itself need the
 * stub) and then carries on with normal work if it still can.
 *
 * Verdict line: "succeeded" when munmap returned 0; "refused" when it
 * returned -EPERM or the child was killed before it could report;
 * anything else is "inconclusive".
 *
 * Pass (the patched behaviour): the munmap is refused and counted by
 * the kernel (stub_stats munmap_denied grew across the call); a child
 * that was not killed still runs fork + exec + wait; the parent runs
 * fork + exec + wait afterwards.
 */
#include <sys/syscall.h>
#include "tap.h"
#include "exec_helpers.h"
#include "hijack.h"
#include "stub_stats.h"

#define NAME		"stub_unmap"
#define CHILD_DEADLINE_S 60

enum stage { NOT_STARTED, STUB_FOUND, CALLED, WORK_DONE };

struct report {
	volatile long stage;
	volatile long result;		/* raw munmap result */
	volatile unsigned long data;	/* the stub data pages */
	volatile long work_ok;
	char why[256];
	struct stub_stats before;	/* right before the attacking call */
};

_Static_assert(sizeof(struct report) <= HIJACK_PAGE_SIZE,
	       "the report fits the shared page");

static void child(struct report *r, const char *helper)
{
	struct stub_hijack h;

	r->stage = NOT_STARTED;		/* fault the shared page in now */
	if (hijack_init(&h))
		_exit(2);
	r->data = h.data;
	r->stage = STUB_FOUND;

	stub_stats_read(&r->before);
	r->result = hijack_syscall6(&h, SYS_munmap, h.data,
				    STUB_DATA_PAGES * HIJACK_PAGE_SIZE,
				    0, 0, 0, 0);
	r->stage = CALLED;
	/* After a successful unmap this process dies right here. */
	r->work_ok = run_once(helper, r->why, sizeof(r->why)) == 0;
	r->stage = WORK_DONE;
	_exit(0);
}

int main(int argc, char **argv)
{
	char helper[PATH_MAX], why[256] = "";
	int status = 0, refused, killed, rc;
	struct stub_stats after;
	struct report *r;
	pid_t pid, got;

	(void)argc;
	helper_path(argv[0], helper, sizeof(helper));
	tap_plan(5);

	r = hijack_shared_page();
	if (!r) {
		tap_diag("shared page: %s", strerror(errno));
		hijack_attack_line(NAME, "inconclusive", "no shared page");
		return EXIT_FAILURE;
	}

	pid = fork();
	if (pid == 0)
		child(r, helper);
	if (pid < 0) {
		tap_diag("fork: %s", strerror(errno));
		hijack_attack_line(NAME, "inconclusive", "fork failed");
		return EXIT_FAILURE;
	}
	got = hijack_wait(pid, &status, CHILD_DEADLINE_S);
	stub_stats_read(&after);
	killed = got == pid && WIFSIGNALED(status);
	if (got == 0)
		tap_diag("child did not finish within %d s", CHILD_DEADLINE_S);
	else if (killed)
		tap_diag("child killed by signal %d at stage %ld",
			 WTERMSIG(status), r->stage);
	else
		tap_diag("child exited with %d at stage %ld",
			 WEXITSTATUS(status), r->stage);

	tap_result(r->stage >= STUB_FOUND, "hijack found the stub");

	if (r->stage < STUB_FOUND) {
		hijack_attack_line(NAME, "inconclusive",
				   "the stub was not found");
		refused = 0;
	} else if (r->stage < CALLED && killed) {
		hijack_attack_line(NAME, "refused",
				   "child killed by signal %d during the munmap",
				   WTERMSIG(status));
		refused = 1;
	} else if (r->stage < CALLED) {
		hijack_attack_line(NAME, "inconclusive",
				   "child stopped before the munmap returned");
		refused = 0;
	} else if (r->result == 0) {
		hijack_attack_line(NAME, "succeeded",
				   "munmap(stub data %#lx, %d pages) from the "
				   "stub page returned 0; the child then %s %d",
				   r->data, STUB_DATA_PAGES,
				   killed ? "died by signal" : "exited with",
				   killed ? WTERMSIG(status) :
				   WEXITSTATUS(status));
		refused = 0;
	} else if (r->result == -EPERM) {
		hijack_attack_line(NAME, "refused",
				   "munmap(stub data %#lx, %d pages) from the "
				   "stub page returned -EPERM", r->data,
				   STUB_DATA_PAGES);
		refused = 1;
	} else {
		hijack_attack_line(NAME, "inconclusive",
				   "munmap(stub data %#lx) from the stub page "
				   "returned %ld", r->data, r->result);
		refused = 0;
	}
	tap_result(refused, "munmap of the stub from the stub page refused");
	stub_stats_expect_growth(&r->before, &after, "munmap_denied",
				 "the refused munmap of the stub");

	if (r->stage == WORK_DONE && !r->work_ok)
		tap_diag("attacking process: %s", r->why);
	tap_result(killed ? r->stage < CALLED :
		   r->stage == WORK_DONE && r->work_ok,
		   "attacking process was killed or kept running "
		   "(fork+exec)");

	rc = run_once(helper, why, sizeof(why));
	if (rc)
		tap_diag("%s", why);
	tap_result(rc == 0, "parent still runs fork+exec+wait");
	return tap_exit_status();
}
