/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the stall programs (stall_*.c) share: the crafted signal frame
 * sent with rt_sigreturn from the stub page, the probe for a SECCOMP
 * stub, the verdict, and the parent that runs and judges the stalling
 * child (stall_main()). Each program only brings its child.
 */
#ifndef GUEST_STALL_H
#define GUEST_STALL_H

#include <fcntl.h>
#include <stdint.h>
#include <sys/syscall.h>
#include "tap.h"
#include "exec_helpers.h"
#include "hijack.h"
#include "stub_stats.h"

#define WAIT_S		30	/* how long the parent waits for the child */
/*
 * The kernel's deadline is 5 s from the first alarm the stub leaves
 * unanswered. That alarm comes up to one 10 ms tick after the stall
 * starts and the deadline is checked on ticks; the rest is slack for a
 * busy host.
 */
#define BOUND_MS	5500
#define PROBE_WAIT_S	30

/* The x86_64 kernel's signal frame, as rt_sigreturn reads it. */
struct k_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;		/* 0: reset the FPU state */
	uint64_t reserved[8];
};

struct k_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct {
		uint64_t ss_sp;
		int32_t ss_flags;
		int32_t pad;
		uint64_t ss_size;
	} uc_stack;
	struct k_sigcontext mc;
	uint64_t sigmask;
};

struct k_rt_sigframe {
	uint64_t pretcode;		/* the handler's return address */
	struct k_ucontext uc;		/* rt_sigreturn finds it at rsp */
	unsigned char info[128];	/* siginfo */
};

/*
 * Aim FRAME at RIP with the stack pointer at the top of STACK (as after
 * a call: a zero return address, rsp + 8 aligned) and signal mask MASK.
 * The stub's alternate signal stack (stub_exe.c: the data pages) is kept
 * as it is. FRAME and STACK must be in memory the process has touched,
 * so that the host kernel finds them mapped.
 */
static void frame_prepare(struct k_rt_sigframe *frame,
			  const struct stub_hijack *h, void (*rip)(void),
			  unsigned char *stack, size_t size, uint64_t mask)
{
	uint64_t *top = (uint64_t *)(stack + size) - 2;
	uint16_t cs, ss;

	memset(frame, 0, sizeof(*frame));
	memset(stack, 0, size);
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	__asm__ volatile("mov %%ss, %0" : "=r"(ss));

	frame->uc.uc_stack.ss_sp = h->data;
	frame->uc.uc_stack.ss_flags = 0;
	frame->uc.uc_stack.ss_size = STUB_DATA_PAGES * HIJACK_PAGE_SIZE;
	frame->uc.mc.rip = (uint64_t)(uintptr_t)rip;
	frame->uc.mc.rsp = (uint64_t)(uintptr_t)top;
	frame->uc.mc.eflags = 0x202;
	frame->uc.mc.cs = cs;
	frame->uc.mc.ss = ss;
	frame->uc.sigmask = mask;	/* SIGKILL and SIGSTOP stay open */
}

/* rt_sigreturn from the stub page: it reads the ucontext at rsp. */
static __attribute__((noreturn)) void frame_send(struct k_rt_sigframe *frame,
						 const struct stub_hijack *h)
{
	__asm__ volatile("mov %0, %%rsp\n\t"
			 "jmp *%1"
			 :
			 : "r"(&frame->uc), "r"(h->gadget),
			   "a"((long)SYS_rt_sigreturn)
			 : "memory");
	__builtin_unreachable();
}

/* Frame and stack for the resumed code; touched before use, so mapped. */
static struct k_rt_sigframe frame __attribute__((aligned(4096)));
static unsigned char resume_stack[16384] __attribute__((aligned(4096)));

/* --- is there a SECCOMP stub? ------------------------------------- */

enum mode { MODE_SECCOMP, MODE_NO_STUB, MODE_PTRACE, MODE_UNKNOWN };

/* 1: stub found, 2: landed after the harmless rt_sigreturn */
static volatile long *probe_stage;

static __attribute__((noreturn, used, noinline)) void probe_landed(void)
{
	*probe_stage = 2;
	_exit(0);
}

/* 1 when the guest kernel's command line has WORD, else 0. */
static int cmdline_has(const char *word)
{
	char buf[4096];
	ssize_t n;
	int fd = open("/proc/cmdline", O_RDONLY);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strstr(buf, word) != NULL;
}

/*
 * Does a system call from the stub code page reach the host? A child
 * finds the stub and sends a frame that blocks nothing and resumes in
 * guest code. rt_sigreturn from the stub page is what the stub itself
 * does, so every SECCOMP filter allows it and the child lands. In
 * ptrace mode UML kills the child with SIGSEGV instead.
 */
static enum mode probe_mode(char *why, size_t size)
{
	int status = 0;
	pid_t pid;

	probe_stage = hijack_shared_page();
	if (!probe_stage) {
		snprintf(why, size, "probe: no shared page: %s",
			 strerror(errno));
		return MODE_UNKNOWN;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(why, size, "probe: fork: %s", strerror(errno));
		return MODE_UNKNOWN;
	}
	if (pid == 0) {
		struct stub_hijack h;

		*probe_stage = 0;
		if (hijack_init(&h))
			_exit(2);
		*probe_stage = 1;
		frame_prepare(&frame, &h, probe_landed, resume_stack,
			      sizeof(resume_stack), 0);
		frame_send(&frame, &h);
	}
	if (hijack_wait(pid, &status, PROBE_WAIT_S) != pid) {
		snprintf(why, size, "probe: child did not finish in %d s",
			 PROBE_WAIT_S);
		return MODE_UNKNOWN;
	}
	if (*probe_stage == 0) {
		snprintf(why, size, "no stub found (%s)",
			 WIFSIGNALED(status) ? "probe child killed" :
			 "hijack_init failed");
		return MODE_NO_STUB;
	}
	if (*probe_stage == 2) {
		snprintf(why, size, "a harmless rt_sigreturn from the stub page "
			 "ran on the host: SECCOMP stub");
		return MODE_SECCOMP;
	}
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV) {
		snprintf(why, size, "a harmless rt_sigreturn from the stub page "
			 "got the child killed with SIGSEGV: UML refuses system "
			 "calls from the stub pages, ptrace mode");
		return MODE_PTRACE;
	}
	snprintf(why, size, "probe child ended with status %#x after finding "
		 "the stub, without landing", status);
	return MODE_UNKNOWN;
}

/* All points skipped: the stall does not apply to this boot. */
static int skip_all(const char *name, int points, const char *why)
{
	const char *names[] = {
		"hijack found the stub",
		"stalling child killed within 5.5 s",
		"the kernel counted the kill",
		"guest still runs fork+exec+wait afterwards",
	};
	int i;

	tap_diag("stall: %s skipped: %s", name, why);
	for (i = 0; i < points; i++)
		tap_result(1, "%s # SKIP %s", names[i],
			   "no SECCOMP stub in this boot");
	return EXIT_SUCCESS;
}


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

/* --- the parent, shared by the stall programs ------------------------ */

enum stall_stage { NOT_STARTED, STUB_FOUND, SIGRETURN_ISSUED, STALLED,
		   STALL_RETURNED };

/* What the stalling child reports, in a page shared with the parent. */
struct stall_report {
	volatile long stage;
	volatile unsigned long rounds;	/* of the stall loop */
	volatile long result;		/* of its last system call, if any */
	struct timespec start;		/* just before the rt_sigreturn */
};

static struct stall_report *report;

/* One stall program: its child and how to describe and count it. */
struct stall_attack {
	const char *name;
	void (*child)(void);		/* must not return */
	const char *stalled;		/* what stage STALLED means */
	const char *rounds;		/* what a round of the loop is */
	const char *stats_key;		/* the counter the kill must raise */
	const char *stats_what;
};

static long ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 +
	       (now.tv_nsec - t0->tv_nsec) / 1000000;
}

static const char *stage_name(const struct stall_attack *a, long stage)
{
	switch (stage) {
	case NOT_STARTED: return "before finding the stub";
	case STUB_FOUND: return "stub found, frame not yet sent";
	case SIGRETURN_ISSUED: return "rt_sigreturn issued, not resumed";
	case STALLED: return a->stalled;
	case STALL_RETURNED: return "the stalling call returned";
	}
	return "unknown";
}

/*
 * Probe for a SECCOMP stub, run the stalling child, wait up to WAIT_S for
 * its death and report the four points: stub found, killed within
 * BOUND_MS, the kill counted, the guest still runs fork + exec + wait.
 */
static inline int stall_main(const struct stall_attack *a, const char *argv0)
{
	struct stub_stats before, after;
	struct timespec pause = { 0, 10 * 1000 * 1000 }, forked;
	char helper[PATH_MAX], why[256] = "";
	int status = 0, killed = 0, ended = 0, rc;
	long elapsed_ms = -1;
	enum mode mode;
	pid_t pid, got;

	helper_path(argv0, helper, sizeof(helper));
	tap_plan(4);

	mode = probe_mode(why, sizeof(why));
	tap_diag("mode probe: %s", why);
	if (mode == MODE_PTRACE || mode == MODE_NO_STUB) {
		if (!cmdline_has("seccomp=on"))
			return skip_all(a->name, 4, why);
		tap_diag("booted with seccomp=on: not a skip, trying anyway");
	}

	report = hijack_shared_page();
	if (!report) {
		tap_diag("shared page: %s", strerror(errno));
		return EXIT_FAILURE;
	}

	stub_stats_read(&before);
	/* From here a kernel without the deadline may never get back */
	tap_diag("stall: %s starting the stalling child", a->name);
	clock_gettime(CLOCK_MONOTONIC, &forked);
	pid = fork();
	if (pid == 0)
		a->child();
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
		tap_diag("child still alive after %d s at stage '%s' (%lu %s, "
			 "last result %ld); SIGKILL from the guest", WAIT_S,
			 stage_name(a, report->stage), report->rounds,
			 a->rounds, report->result);
		kill(pid, SIGKILL);
		/* A stub that blocks everything may not even die of that. */
		if (hijack_wait(pid, &status, 10) != pid)
			tap_diag("child not reaped 10 s after SIGKILL");
	} else if (killed) {
		tap_diag("child killed by signal %d %ld ms after the %s, at "
			 "stage '%s' (%lu %s, last result %ld)",
			 WTERMSIG(status), elapsed_ms,
			 report->stage >= SIGRETURN_ISSUED ? "rt_sigreturn" :
			 "fork", stage_name(a, report->stage), report->rounds,
			 a->rounds, report->result);
	} else {
		tap_diag("child exited with %d at stage '%s'",
			 WEXITSTATUS(status), stage_name(a, report->stage));
	}

	stall_verdict(a->name, ended, killed, elapsed_ms, BOUND_MS, WAIT_S);

	tap_result(report->stage >= STUB_FOUND, "hijack found the stub");
	tap_result(killed && elapsed_ms <= BOUND_MS,
		   "stalling child killed within %d ms", BOUND_MS);
	stub_stats_read(&after);
	stub_stats_expect_growth(&before, &after, a->stats_key, a->stats_what);

	rc = run_once(helper, why, sizeof(why));
	if (rc)
		tap_diag("%s", why);
	tap_result(rc == 0, "guest still runs fork+exec+wait afterwards");
	return tap_exit_status();
}

#endif
