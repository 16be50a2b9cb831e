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
#include <linux/futex.h>
#include "stall.h"

#define NAME		"futex"

/* --- the attack -------------------------------------------------------- */

static struct stub_hijack hijack;
static volatile uint32_t futex_word;	/* never changes, never woken */

/*
 * Where the crafted frame resumes, every host signal blocked: park on
 * the futex from the stub page. Should it ever return, park again; no
 * guest system call is made.
 */
static __attribute__((noreturn, used, noinline)) void stalled(void)
{
	report->stage = STALLED;
	for (;;) {
		report->result = hijack_syscall6(&hijack, SYS_futex,
						 (long)&futex_word, FUTEX_WAIT,
						 0, 0, 0, 0);
		report->stage = STALL_RETURNED;
		report->rounds++;
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

static const struct stall_attack attack = {
	.name = NAME,
	.child = child,
	.stalled = "every signal blocked, futex called, not returned",
	.rounds = "futex returns",
	.stats_key = "stub_kills",
	.stats_what = "the child killed by the stub filter",
};

int main(int argc, char **argv)
{
	(void)argc;
	return stall_main(&attack, argv[0]);
}
