// SPDX-License-Identifier: GPL-2.0
/*
 * Attack: an mmap from the stub code page outside any batch, that no
 * guest PTE grants.
 *
 * A child reserves a few pages of guest address space and gives them
 * back, so the guest kernel knows the range as unmapped (and UML has
 * unmapped it on the host). Through the hijack primitive it then asks
 * the host for a private anonymous read/write mapping, MAP_FIXED, in
 * the middle of that hole. The UML kernel did not request this mmap and
 * no PTE covers the address; on the base kernel the stub filter lets it
 * through and the process gets memory the guest kernel does not know
 * about (a guest write() from it even fails with EFAULT).
 *
 * Verdict line: "succeeded" when the mmap returned the address and the
 * page could be written and read back; "refused" when it returned
 * -EPERM or the child was killed before it could report; anything else
 * is "inconclusive".
 *
 * Pass (the patched behaviour): the mmap is refused and counted by the
 * kernel (stub_stats mmap_denied grew across the call), and the
 * attacking process itself carries on: after the refusal it runs fork +
 * exec + wait and touches fresh memory. The parent then runs fork +
 * exec + wait too.
 */
#include <sys/mman.h>
#include <sys/syscall.h>
#include "tap.h"
#include "exec_helpers.h"
#include "hijack.h"
#include "stub_stats.h"

#define NAME		"out_of_batch_mmap"
#define HOLE_PAGES	16
#define TOUCH_BYTES	(4UL << 20)
#define CHILD_DEADLINE_S 60
#define PATTERN		0x5eedf00dcafe1234L

enum stage { NOT_STARTED, STUB_FOUND, CALLED, WORK_DONE };

struct report {
	volatile long stage;
	volatile long result;		/* raw mmap result */
	volatile unsigned long target;
	volatile long readback_ok;	/* pattern written and read back */
	volatile long guest_write_errno;/* guest write() from the page */
	volatile long work_ok;		/* fork+exec and memory after */
	char why[256];
	struct stub_stats before;	/* right before the attacking call */
};

_Static_assert(sizeof(struct report) <= HIJACK_PAGE_SIZE,
	       "the report fits the shared page");

/* Normal work after the attack: fork+exec+wait, then fresh memory. */
static int normal_work(const char *helper, char *why, size_t size)
{
	unsigned char *mem;
	unsigned long i;

	if (run_once(helper, why, size))
		return -1;
	mem = mmap(NULL, TOUCH_BYTES, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		snprintf(why, size, "mmap of %lu bytes: %s", TOUCH_BYTES,
			 strerror(errno));
		return -1;
	}
	for (i = 0; i < TOUCH_BYTES; i += HIJACK_PAGE_SIZE)
		mem[i] = (unsigned char)i;
	for (i = 0; i < TOUCH_BYTES; i += HIJACK_PAGE_SIZE) {
		if (mem[i] != (unsigned char)i) {
			snprintf(why, size, "fresh memory lost a write at "
				 "offset %lu", i);
			return -1;
		}
	}
	munmap(mem, TOUCH_BYTES);
	return 0;
}

static void child(struct report *r, const char *helper)
{
	struct stub_hijack h;
	unsigned long hole;
	int fds[2];

	r->stage = NOT_STARTED;		/* fault the shared page in now */
	if (hijack_init(&h))
		_exit(2);
	r->stage = STUB_FOUND;

	hole = (unsigned long)mmap(NULL, HOLE_PAGES * HIJACK_PAGE_SIZE,
				   PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
				   -1, 0);
	if (hole == (unsigned long)MAP_FAILED)
		_exit(3);
	munmap((void *)hole, HOLE_PAGES * HIJACK_PAGE_SIZE);
	r->target = hole + HOLE_PAGES / 2 * HIJACK_PAGE_SIZE;

	stub_stats_read(&r->before);
	r->result = hijack_syscall6(&h, SYS_mmap, r->target,
				    HIJACK_PAGE_SIZE, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				    -1, 0);
	r->stage = CALLED;

	if ((unsigned long)r->result == r->target) {
		volatile long *p = (volatile long *)r->target;

		*p = PATTERN;
		r->readback_ok = *p == PATTERN;
		/* Ask the guest kernel to read the page: it knows no VMA. */
		if (pipe(fds) == 0) {
			if (write(fds[1], (void *)r->target, sizeof(long)) < 0)
				r->guest_write_errno = errno;
			close(fds[0]);
			close(fds[1]);
		}
	}

	r->work_ok = normal_work(helper, r->why, sizeof(r->why)) == 0;
	r->stage = WORK_DONE;
	_exit(0);
}

int main(int argc, char **argv)
{
	char helper[PATH_MAX], why[256] = "";
	struct stub_stats after;
	struct report *r;
	int status = 0, refused, killed, rc;
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
				   "child killed by signal %d during the mmap",
				   WTERMSIG(status));
		refused = 1;
	} else if (r->stage < CALLED) {
		hijack_attack_line(NAME, "inconclusive",
				   "child stopped before the mmap returned");
		refused = 0;
	} else if ((unsigned long)r->result == r->target && r->readback_ok) {
		hijack_attack_line(NAME, "succeeded",
				   "mmap(%#lx, anonymous rw, MAP_FIXED) from the "
				   "stub page returned the address; written and "
				   "read back; guest write() from it: %s",
				   r->target, r->guest_write_errno ?
				   strerror(r->guest_write_errno) : "ok");
		refused = 0;
	} else if (r->result == -EPERM) {
		hijack_attack_line(NAME, "refused",
				   "mmap(%#lx, anonymous rw, MAP_FIXED) from the "
				   "stub page returned -EPERM", r->target);
		refused = 1;
	} else {
		hijack_attack_line(NAME, "inconclusive",
				   "mmap(%#lx) from the stub page returned "
				   "%ld (readback %ld)", r->target, r->result,
				   r->readback_ok);
		refused = 0;
	}
	tap_result(refused, "out-of-batch mmap from the stub page refused");
	stub_stats_expect_growth(&r->before, &after, "mmap_denied",
				 "the refused out-of-batch mmap");

	if (r->stage == WORK_DONE && !r->work_ok)
		tap_diag("attacking process: %s", r->why);
	tap_result(r->stage == WORK_DONE && r->work_ok &&
		   got == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		   "attacking process kept running (fork+exec, fresh memory)");

	rc = run_once(helper, why, sizeof(why));
	if (rc)
		tap_diag("%s", why);
	tap_result(rc == 0, "parent still runs fork+exec+wait");
	return tap_exit_status();
}
