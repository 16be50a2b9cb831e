// SPDX-License-Identifier: GPL-2.0
/*
 * Stall: block every host signal with an rt_sigreturn from the stub code
 * page, then spin in guest code.
 *
 * Attack. Through the hijack primitive (hijack.h) a child jumps to the
 * "syscall; ret" gadget in the stub code page with rax = rt_sigreturn
 * and the stack pointer on a signal frame it built itself. The stub
 * filter allows rt_sigreturn from that page (the stub's own signal
 * restorer needs it), so the host kernel loads the frame: every register
 * of the child's choosing, and a saved signal mask with every blockable
 * signal set (SIGALRM included). The frame resumes in a loop in guest
 * code that never makes a system call. From then on the stub never
 * answers the UML kernel's timer alarm, and the UML kernel thread that
 * waits for the stub waits forever; on a UP guest the whole guest wedges.
 * The frame keeps the stub's alternate signal stack as it is (the first
 * stub data page), so nothing else about the stub changes.
 *
 * Pass (the hardened behaviour, series principle 7): the spinning child
 * is killed within 5.5 s of host time (the kernel's deadline is 5 s), and
 * the guest still runs fork + exec + wait afterwards. The parent waits
 * up to 30 s and reports the time from the stall to the child's death
 * on one line "# stall: sigreturn killed_after_ms N", or
 * "# stall: sigreturn not_killed".
 *
 * The verdict line is "# attack: stall_sigreturn refused|succeeded|inconclusive".
 * On a kernel without the deadline a UP guest never gets back to the
 * parent, so no verdict comes: the last line is "# stall: sigreturn starting
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
#include "stall.h"

#define NAME		"sigreturn"

/* --- the attack -------------------------------------------------------- */

/* Where the crafted frame resumes, every host signal blocked. */
static __attribute__((noreturn, used, noinline)) void stalled(void)
{
	report->stage = STALLED;
	for (;;)
		report->rounds++;
}

static __attribute__((noreturn)) void child(void)
{
	struct stub_hijack h;

	report->stage = NOT_STARTED;	/* fault the shared page in now */
	if (hijack_init(&h))
		_exit(2);
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
	.stalled = "spinning with every signal blocked",
	.rounds = "spins",
	.stats_key = "stall_kills",
	.stats_what = "the child killed by the stall deadline",
};

int main(int argc, char **argv)
{
	(void)argc;
	return stall_main(&attack, argv[0]);
}
