// SPDX-License-Identifier: GPL-2.0
/*
 * Attack: more access to one's own page than its PTE grants.
 *
 * Both parts map a private page of the attacker over itself, at its own
 * frame, through the physical-memory fd from the stub code page; only
 * the protection asked for exceeds what the guest page table grants.
 *
 *  (a) read-only: the page was written, then made PROT_READ. Map it
 *      PROT_READ | PROT_WRITE and write a marker through the mapping.
 *      Whether the write took effect is checked through the UML kernel
 *      (write(2) of the page into a pipe), not by reading it back.
 *  (b) PROT_NONE: the page was written, then made PROT_NONE. Map it
 *      PROT_READ and read it.
 *
 * Succeeded: (a) the kernel reads the marker from the page, or (b) the
 * PROT_NONE page's contents were read. Refused: the mmap failed with
 * EPERM, or the attacker was killed while attempting it. The one
 * verdict line says succeeded when either part succeeded, refused when
 * both were refused.
 *
 * Pass (the patched kernel's behaviour): both refused, each refused
 * mmap counted by the kernel (stub_stats mmap_denied grew across it),
 * and afterwards the guest still forks and execs a program.
 */
#define _GNU_SOURCE
#include <sys/random.h>
#include "tap.h"
#include "hijack_fd.h"
#include "exec_helpers.h"

#define ORIGINAL	0x44
#define MARKER		"written through a read-only PTE"
#define SECRET_BYTES	32

/* A private page of ours with PATTERN written, then protection PROT. */
static unsigned char *own_page(int report, const unsigned char *pattern,
			       size_t size, int prot, unsigned long *pfn)
{
	unsigned char *page;
	size_t i;
	int err;

	page = mmap(NULL, HIJACK_PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED) {
		attack_verdict(report, ATTACK_INCONCLUSIVE, "mmap: %s",
			       strerror(errno));
		return NULL;
	}
	for (i = 0; i < HIJACK_PAGE_SIZE; i++)
		page[i] = pattern[i % size];
	err = hijack_page_frame(page, pfn);
	if (!err && mprotect(page, HIJACK_PAGE_SIZE, prot))
		err = -errno;
	if (err) {
		attack_verdict(report, ATTACK_INCONCLUSIVE, "setting up the "
			       "page: %s", strerror(-err));
		return NULL;
	}
	return page;
}

/*
 * Map PAGE at its own frame with PROT through the fd. 0 when mapped,
 * else -1 after a verdict.
 */
static int map_over(int report, const struct stub_hijack *h,
		    const struct hijack_fd *f, unsigned char *page,
		    unsigned long pfn, int prot, const char *what)
{
	long res;

	attack_stage(report, 1, "mapping our %s page (frame %#lx) %s", what,
		     pfn, prot & PROT_WRITE ? "writable" : "readable");
	res = hijack_mmap(h, (unsigned long)page, HIJACK_PAGE_SIZE, prot,
			  f->fd, pfn * HIJACK_PAGE_SIZE);
	if (res == (long)page)
		return 0;
	if (res == -EPERM)
		attack_verdict(report, ATTACK_REFUSED, "%s mmap of our %s "
			       "page (frame %#lx) through fd %d: EPERM",
			       prot & PROT_WRITE ? "writable" : "readable",
			       what, pfn, f->fd);
	else
		attack_verdict(report, ATTACK_INCONCLUSIVE, "%s mmap of our "
			       "%s page (frame %#lx) through fd %d returned "
			       "%ld", prot & PROT_WRITE ? "writable" :
			       "readable", what, pfn, f->fd, res);
	return -1;
}

/* (a) Write to a page whose PTE is read-only. */
static int attack_read_only(void *arg, int report)
{
	unsigned char original = ORIGINAL, seen[sizeof(MARKER)];
	struct stub_hijack h;
	struct hijack_fd f;
	unsigned char *page;
	unsigned long pfn;
	int pipefd[2];

	(void)arg;
	attack_stage(report, 0, "finding the stub");
	if (hijack_init(&h)) {
		attack_verdict(report, ATTACK_INCONCLUSIVE, "stub not found");
		return 0;
	}
	if (attack_get_fd(report, &h, &f))
		return 0;
	page = own_page(report, &original, 1, PROT_READ, &pfn);
	if (!page)
		return 0;
	if (map_over(report, &h, &f, page, pfn, PROT_READ | PROT_WRITE,
		     "read-only"))
		return 0;

	attack_stage(report, 0, "writing to the read-only page");
	memcpy(page, MARKER, sizeof(MARKER));

	/* Ask the UML kernel what the page holds now. */
	if (pipe(pipefd) ||
	    write(pipefd[1], page, sizeof(seen)) != (ssize_t)sizeof(seen) ||
	    read(pipefd[0], seen, sizeof(seen)) != (ssize_t)sizeof(seen)) {
		attack_verdict(report, ATTACK_INCONCLUSIVE,
			       "reading the page back through a pipe: %s",
			       strerror(errno));
		return 0;
	}
	if (memcmp(seen, MARKER, sizeof(MARKER)) == 0)
		attack_verdict(report, ATTACK_SUCCEEDED,
			       "wrote to our read-only page (frame %#lx) and "
			       "the kernel reads the marker (fd %d, %s)", pfn,
			       f.fd, f.origin == HIJACK_FD_HELD ? "held" :
			       "stolen");
	else
		attack_verdict(report, ATTACK_INCONCLUSIVE,
			       "writable mapping made, but the kernel does "
			       "not see the write (first byte %#x)", seen[0]);
	return 0;
}

/* (b) Read a page whose PTE is PROT_NONE. */
static int attack_prot_none(void *arg, int report)
{
	unsigned char secret[SECRET_BYTES];
	struct stub_hijack h;
	struct hijack_fd f;
	unsigned char *page;
	unsigned long pfn;

	(void)arg;
	if (getrandom(secret, sizeof(secret), 0) != sizeof(secret)) {
		attack_verdict(report, ATTACK_INCONCLUSIVE, "getrandom: %s",
			       strerror(errno));
		return 0;
	}
	attack_stage(report, 0, "finding the stub");
	if (hijack_init(&h)) {
		attack_verdict(report, ATTACK_INCONCLUSIVE, "stub not found");
		return 0;
	}
	if (attack_get_fd(report, &h, &f))
		return 0;
	page = own_page(report, secret, sizeof(secret), PROT_NONE, &pfn);
	if (!page)
		return 0;
	if (map_over(report, &h, &f, page, pfn, PROT_READ, "PROT_NONE"))
		return 0;

	attack_stage(report, 0, "reading the PROT_NONE page");
	if (memcmp(page, secret, sizeof(secret)) == 0)
		attack_verdict(report, ATTACK_SUCCEEDED,
			       "read our PROT_NONE page (frame %#lx): its "
			       "%d-byte secret (fd %d, %s)", pfn, SECRET_BYTES,
			       f.fd, f.origin == HIJACK_FD_HELD ? "held" :
			       "stolen");
	else
		attack_verdict(report, ATTACK_INCONCLUSIVE,
			       "readable mapping made, but it does not hold "
			       "the page's contents");
	return 0;
}

int main(int argc, char **argv)
{
	struct attack_outcome ro, none, both;
	char helper[PATH_MAX], why[128] = "";

	(void)argc;
	tap_plan(5);
	helper_path(argv[0], helper, sizeof(helper));

	attack_run_retrying(attack_read_only, NULL, &ro);
	tap_diag("read-only write: %s, %s",
		 attack_verdict_names[ro.verdict], ro.detail);
	attack_run_retrying(attack_prot_none, NULL, &none);
	tap_diag("PROT_NONE read: %s, %s",
		 attack_verdict_names[none.verdict], none.detail);

	memset(&both, 0, sizeof(both));
	if (ro.verdict == ATTACK_SUCCEEDED || none.verdict == ATTACK_SUCCEEDED)
		both.verdict = ATTACK_SUCCEEDED;
	else if (ro.verdict == ATTACK_REFUSED &&
		 none.verdict == ATTACK_REFUSED)
		both.verdict = ATTACK_REFUSED;
	else
		both.verdict = ATTACK_INCONCLUSIVE;
	snprintf(both.detail, sizeof(both.detail),
		 "read-only write %s; PROT_NONE read %s",
		 attack_verdict_names[ro.verdict],
		 attack_verdict_names[none.verdict]);

	attack_print("prot_escalation", &both);
	tap_result(ro.verdict == ATTACK_REFUSED,
		   "a writable map of a read-only page is refused (%s)",
		   attack_verdict_names[ro.verdict]);
	attack_expect_counted(&ro, "mmap_denied",
			      "the refused writable mmap of the read-only page");
	tap_result(none.verdict == ATTACK_REFUSED,
		   "a readable map of a PROT_NONE page is refused (%s)",
		   attack_verdict_names[none.verdict]);
	attack_expect_counted(&none, "mmap_denied",
			      "the refused readable mmap of the PROT_NONE page");
	tap_result(run_once(helper, why, sizeof(why)) == 0,
		   "fork and exec still work after the attack%s%s",
		   why[0] ? ": " : "", why[0] ? why : "");
	return tap_exit_status();
}
