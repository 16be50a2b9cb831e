// SPDX-License-Identifier: GPL-2.0
/*
 * Stall: park the stub on a futex from the stub code page with every
 * host signal blocked.
 *
 * Attack. Through the hijack primitive (hijack.h) a child first blocks
 * every host signal: it jumps to the "syscall; ret" gadget in the stub
 * code page with rax = rt_sigreturn and the stack pointer on a signal
 * frame it built itself, whose saved mask has every blockable signal set
 * (SIGALRM included); the frame resumes in guest code. That code then
 * calls futex(FUTEX_WAIT) from the stub code page on a word of its own
 * that nothing ever changes. The base stub filter allows futex from that
 * page (the stub parked on one), so the host thread sleeps for good: the
 * stub never answers the UML kernel's timer alarm and the UML kernel
 * thread that waits for the stub waits forever; on a UP guest the whole
 * guest wedges. Unlike stall_sigreturn, the stalled stub uses no CPU.
 * The frame keeps the stub's alternate signal stack as it is (the first
 * stub data page).
 *
 * With the series the strict filter no longer allows futex from the stub
 * page (the stub parks through the seccomp listener), so the host kills
 * the process at the futex call; a deadline would kill it later.
 *
 * Pass (the hardened behaviour, series principle 7): the child is killed
 * within 5.5 s of host time, and the guest still runs fork + exec + wait
 * afterwards. The parent waits up to 30 s and reports the time from the
 * rt_sigreturn to the child's death on one line
 * "# stall: futex killed_after_ms N", or "# stall: futex not_killed".
 *
 * The verdict line is "# attack: stall_futex refused|succeeded|inconclusive".
 * On a kernel without the series a UP guest never gets back to the
 * parent, so no verdict comes: the last line is "# stall: futex starting
 * the stalling child", and scripts/boot-guest counts the boot's timeout
 * after it as the attack succeeding.
 *
 * Not applicable in ptrace mode: the stub pages are mapped there too,
 * but every system call is stopped by ptrace, and UML kills a process
 * whose system call comes from the stub pages (handle_trap()). The
 * program first sends a harmless frame (nothing blocked) through the
 * gadget in a throwaway child: in SECCOMP mode the host runs it and the
 * child lands in guest code, in ptrace mode UML kills the child with
 * SIGSEGV. It then reports its points as "# SKIP", unless the guest's
 * command line says seccomp=on (a probe that disagrees with it must not
 * turn a failure into a skip).
 */
#include <fcntl.h>
#include <stdint.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include "tap.h"
#include "exec_helpers.h"
#include "hijack.h"
#include "stall.h"
#include "stub_stats.h"

#define NAME		"futex"

/* --- the attack -------------------------------------------------------- */

enum stage { NOT_STARTED, STUB_FOUND, SIGRETURN_ISSUED, MASKED, FUTEX_RETURNED };

struct report {
	volatile long stage;
	volatile unsigned long spins;	/* futex calls that returned */
	volatile long result;		/* raw result of the last one */
	struct timespec start;		/* just before the rt_sigreturn */
};

static struct report *report;

static struct stub_hijack hijack;
static volatile uint32_t futex_word;	/* never changes, never woken */

/*
 * Where the crafted frame resumes, every host signal blocked: park on
 * the futex from the stub page. Should it ever return, park again; no
 * guest system call is made.
 */
static __attribute__((noreturn, used, noinline)) void stalled(void)
{
	report->stage = MASKED;
	for (;;) {
		report->result = hijack_syscall6(&hijack, SYS_futex,
						 (long)&futex_word, FUTEX_WAIT,
						 0, 0, 0, 0);
		report->stage = FUTEX_RETURNED;
		report->spins++;
	}
}

static __attribute__((noreturn)) void child(void)
{
	struct stub_hijack h;

	report->stage = NOT_STARTED;	/* fault the shared page in now */
	futex_word = 0;			/* and the futex word */
	if (hijack_init(&h))
		_exit(2);
	hijack = h;
	report->stage = STUB_FOUND;

	frame_prepare(&frame, &h, stalled, resume_stack,
		      sizeof(resume_stack), ~0ULL);
	clock_gettime(CLOCK_MONOTONIC, &report->start);
	report->stage = SIGRETURN_ISSUED;
	frame_send(&frame, &h);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 +
	       (now.tv_nsec - t0->tv_nsec) / 1000000;
}

static const char *stage_name(long stage)
{
	switch (stage) {
	case NOT_STARTED: return "before finding the stub";
	case STUB_FOUND: return "stub found, frame not yet sent";
	case SIGRETURN_ISSUED: return "rt_sigreturn issued, not resumed";
	case MASKED: return "every signal blocked, futex called, not returned";
	case FUTEX_RETURNED: return "futex returned (see result)";
	}
	return "unknown";
}

int main(int argc, char **argv)
{
	struct stub_stats before, after;
	struct timespec pause = { 0, 10 * 1000 * 1000 }, forked;
	char helper[PATH_MAX], why[256] = "";
	int status = 0, killed = 0, ended = 0, rc;
	long elapsed_ms = -1;
	enum mode mode;
	pid_t pid, got;

	(void)argc;
	helper_path(argv[0], helper, sizeof(helper));
	tap_plan(4);

	mode = probe_mode(why, sizeof(why));
	tap_diag("mode probe: %s", why);
	if (mode == MODE_PTRACE || mode == MODE_NO_STUB) {
		if (!cmdline_has("seccomp=on"))
			return skip_all(NAME, 4, why);
		tap_diag("booted with seccomp=on: not a skip, trying anyway");
	}

	report = hijack_shared_page();
	if (!report) {
		tap_diag("shared page: %s", strerror(errno));
		return EXIT_FAILURE;
	}

	stub_stats_read(&before);
	/* From here a kernel without the deadline may never get back */
	tap_diag("stall: %s starting the stalling child", NAME);
	clock_gettime(CLOCK_MONOTONIC, &forked);
	pid = fork();
	if (pid == 0)
		child();
	if (pid < 0) {
		tap_diag("fork: %s", strerror(errno));
		return EXIT_FAILURE;
	}

	/* Poll, so the time of death is known to about 10 ms. */
	while (ms_since(&forked) < WAIT_S * 1000L) {
		got = waitpid(pid, &status, WNOHANG);
		if (got == pid) {
			ended = 1;
			break;
		}
		if (got < 0 && errno != EINTR) {
			tap_diag("waitpid: %s", strerror(errno));
			break;
		}
		nanosleep(&pause, NULL);
	}
	if (ended) {
		killed = WIFSIGNALED(status);
		elapsed_ms = report->stage >= SIGRETURN_ISSUED ?
			     ms_since(&report->start) : ms_since(&forked);
	}

	if (!ended) {
		tap_diag("child still alive after %d s at stage '%s' "
			 "(futex returned %lu times, last %ld); SIGKILL from "
			 "the guest", WAIT_S, stage_name(report->stage),
			 report->spins, report->result);
		kill(pid, SIGKILL);
		/* A stub that blocks everything may not even die of that. */
		if (hijack_wait(pid, &status, 10) != pid)
			tap_diag("child not reaped 10 s after SIGKILL");
	} else if (killed) {
		tap_diag("child killed by signal %d %ld ms after the %s, at "
			 "stage '%s' (futex returned %lu times, last %ld)",
			 WTERMSIG(status), elapsed_ms,
			 report->stage >= SIGRETURN_ISSUED ? "rt_sigreturn" :
			 "fork", stage_name(report->stage), report->spins,
			 report->result);
	} else {
		tap_diag("child exited with %d at stage '%s'",
			 WEXITSTATUS(status), stage_name(report->stage));
	}

	stall_verdict(NAME, ended, killed, elapsed_ms, BOUND_MS, WAIT_S);

	tap_result(report->stage >= STUB_FOUND, "hijack found the stub");
	tap_result(killed && elapsed_ms <= BOUND_MS,
		   "stalling child killed within %d ms", BOUND_MS);
	stub_stats_read(&after);
	stub_stats_expect_growth(&before, &after, "stub_kills",
				 "the child killed by the stub filter");

	rc = run_once(helper, why, sizeof(why));
	if (rc)
		tap_diag("%s", why);
	tap_result(rc == 0, "guest still runs fork+exec+wait afterwards");
	return tap_exit_status();
}
