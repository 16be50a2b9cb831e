/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hijack primitive shared by the attack programs: issue host system
 * calls from the stub code page, as the stub itself would, from ordinary
 * guest code. x86_64 only.
 *
 * In SECCOMP mode a guest process and its stub share one host address
 * space and one host thread. The stub's filter lets a few system calls
 * through when they come from the stub code page, whoever jumped there.
 * Guest code can read that page, so it can find an instruction pair
 * "syscall; ret" (0f 05 c3) in it and "call" it with the registers of
 * its choice: the host kernel runs the system call with the stub's
 * rights and the "ret" brings control back to the caller.
 *
 * Finding the stub. UML re-executes itself with address randomisation
 * off, so its stack, and with it the stub (one code page, then
 * STUB_DATA_PAGES data pages, placed just below the stack top), sits
 * just below the top of the host address space, above the guest's
 * TASK_SIZE. When a new address space is created, UML unmaps everything
 * below the stub, so the stub is the only thing mapped up there. The
 * probe reads one byte of each page from the top down: a page the host
 * has mapped reads directly, any other page faults, UML finds no VMA
 * and sends SIGSEGV, which a handler turns into a siglongjmp. Guest
 * system calls cannot be used for probing: they ask the UML kernel,
 * which only knows the guest's view.
 *
 * The readable run found is [code page][data page]...; the code page is
 * the lowest page of the run.
 *
 * Only meaningful with seccomp=on. In ptrace mode every system call,
 * wherever it comes from, is a guest system call handled by UML.
 */
#ifndef GUEST_HIJACK_H
#define GUEST_HIJACK_H

#if !defined(__x86_64__)
#error "hijack.h supports x86_64 only"
#endif

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "tap.h"

#ifndef STUB_DATA_PAGES
#define STUB_DATA_PAGES 2	/* arch/um/include/shared/as-layout.h */
#endif

#define HIJACK_PAGE_SIZE	4096UL
/* Highest user page of a 4-level (47-bit) x86_64 address space. */
#define HIJACK_TOP_PAGE		(0x7ffffffff000UL - HIJACK_PAGE_SIZE)
/* How far below the top the probe looks for the stub before giving up. */
#define HIJACK_PROBE_PAGES	4096UL

struct stub_hijack {
	unsigned long code;	/* stub code page */
	unsigned long data;	/* first stub data page (STUB_DATA_PAGES follow) */
	unsigned long gadget;	/* a "syscall; ret" instruction pair in the code page */
};

static sigjmp_buf hijack_probe_env __attribute__((unused));

static __attribute__((unused)) void hijack_probe_fault(int sig)
{
	siglongjmp(hijack_probe_env, sig);
}

/* 1 when one byte at ADDR can be read, else 0. Needs the handlers set. */
static inline int hijack_readable(unsigned long addr)
{
	if (sigsetjmp(hijack_probe_env, 1) != 0)
		return 0;
	(void)*(volatile unsigned char *)addr;
	return 1;
}

/* 1 when one byte at ADDR reads without a fault, else 0. */
static inline int hijack_can_read(unsigned long addr)
{
	struct sigaction sa, old_segv, old_bus;
	int readable;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = hijack_probe_fault;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	readable = hijack_readable(addr);
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	return readable;
}

/*
 * The one machine-readable verdict line of an attack program, read by
 * scripts/boot-guest: "# attack: NAME succeeded|refused|inconclusive
 * DETAIL". NAME is the program name without "attack_".
 */
static inline void hijack_attack_line(const char *name, const char *verdict,
				      const char *fmt, ...)
{
	va_list ap;

	printf("    # attack: %s %s ", name, verdict);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/*
 * One shared anonymous page for a forked child's report. A child that
 * has damaged its stub can no longer make system calls (each one goes
 * through the stub), but it can still store to a page it has touched
 * before the attack. NULL on failure.
 */
static inline void *hijack_shared_page(void)
{
	void *page = mmap(NULL, HIJACK_PAGE_SIZE, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (page == MAP_FAILED)
		return NULL;
	memset(page, 0, HIJACK_PAGE_SIZE);
	return page;
}

/*
 * waitpid() with a deadline. Returns PID once it has ended, or 0 when
 * it did not end within SECONDS; it is then SIGKILLed and reaped.
 */
static inline pid_t hijack_wait(pid_t pid, int *status, int seconds)
{
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	int tries;

	for (tries = 0; tries < seconds * 20; tries++) {
		pid_t got = waitpid(pid, status, WNOHANG);

		if (got == pid)
			return pid;
		if (got < 0 && errno != EINTR)
			return -1;
		nanosleep(&pause, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	return 0;
}

/* Find the stub and a gadget. 0, or -1 after a tap_diag() saying why. */
static inline int hijack_init(struct stub_hijack *h)
{
	struct sigaction sa, old_segv, old_bus;
	unsigned long page, top = 0, low = 0, off;
	const unsigned char *code;
	unsigned long i, pages;

	memset(h, 0, sizeof(*h));
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = hijack_probe_fault;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &old_segv) ||
	    sigaction(SIGBUS, &sa, &old_bus)) {
		tap_diag("hijack: sigaction failed");
		return -1;
	}

	/* Highest readable page. */
	for (i = 0; i < HIJACK_PROBE_PAGES; i++) {
		page = HIJACK_TOP_PAGE - i * HIJACK_PAGE_SIZE;
		if (hijack_readable(page)) {
			top = page;
			break;
		}
	}
	/* Then down to the lowest page of that run. */
	if (top) {
		low = top;
		while (low - HIJACK_PAGE_SIZE >= top -
		       HIJACK_PROBE_PAGES * HIJACK_PAGE_SIZE &&
		       hijack_readable(low - HIJACK_PAGE_SIZE))
			low -= HIJACK_PAGE_SIZE;
	}

	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);

	if (!top) {
		tap_diag("hijack: no readable page in the %lu pages below "
			 "%#lx: stub not found", HIJACK_PROBE_PAGES,
			 HIJACK_TOP_PAGE + HIJACK_PAGE_SIZE);
		return -1;
	}
	pages = (top - low) / HIJACK_PAGE_SIZE + 1;
	if (pages != 1 + STUB_DATA_PAGES) {
		tap_diag("hijack: readable run %#lx-%#lx is %lu pages, "
			 "expected %d (code + %d data)", low,
			 top + HIJACK_PAGE_SIZE, pages, 1 + STUB_DATA_PAGES,
			 STUB_DATA_PAGES);
		return -1;
	}

	code = (const unsigned char *)low;
	for (off = 0; off + 3 <= HIJACK_PAGE_SIZE; off++) {
		if (code[off] == 0x0f && code[off + 1] == 0x05 &&
		    code[off + 2] == 0xc3)
			break;
	}
	if (off + 3 > HIJACK_PAGE_SIZE) {
		tap_diag("hijack: no 'syscall; ret' in the code page at %#lx",
			 low);
		return -1;
	}

	h->code = low;
	h->data = low + HIJACK_PAGE_SIZE;
	h->gadget = low + off;
	return 0;
}

/*
 * Issue syscall nr from the stub code page with these arguments; returns
 * the raw result (negative errno on failure).
 *
 * The "call" pushes its return address below the stack pointer, where
 * the compiler may keep red-zone data of the calling function, so the
 * stack pointer is moved past the 128-byte red zone first. The gadget
 * address is an input register, which the compiler never assigns to a
 * clobbered register (rcx and r11, which "syscall" overwrites).
 */
static inline long hijack_syscall6(const struct stub_hijack *h, long nr,
				   long a1, long a2, long a3, long a4,
				   long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret = nr;

	__asm__ volatile("sub $128, %%rsp\n\t"
			 "call *%[gadget]\n\t"
			 "add $128, %%rsp"
			 : "+a"(ret), "+D"(a1), "+S"(a2), "+d"(a3),
			   "+r"(r10), "+r"(r8), "+r"(r9)
			 : [gadget] "r"(h->gadget)
			 : "rcx", "r11", "memory", "cc");
	return ret;
}

#endif /* GUEST_HIJACK_H */
