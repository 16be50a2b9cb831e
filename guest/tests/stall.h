/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the stall programs (stall_*.c) share: the crafted signal frame
 * sent with rt_sigreturn from the stub page, the probe for a SECCOMP
 * stub, and the verdict.
 */
#ifndef GUEST_STALL_H
#define GUEST_STALL_H

#include <fcntl.h>
#include <stdint.h>
#include <sys/syscall.h>
#include "tap.h"
#include "hijack.h"

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

#endif
