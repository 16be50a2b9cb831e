// SPDX-License-Identifier: GPL-2.0
/*
 * Attack: write into another process through a copy-on-write page.
 *
 * A holder process fills a private page with a known pattern and forks
 * the attacker. After the fork both map the page read-only, sharing one
 * frame until one of them writes. The attacker, without writing to the
 * page, looks up that frame and maps it writable over the same address
 * through the physical-memory fd, from the stub code page, then writes a
 * marker through it. The holder, which never wrote the page, reads it.
 *
 * Succeeded: the holder sees the attacker's marker. Refused: the mmap
 * failed with EPERM, or the attacker was killed while attempting it.
 *
 * Pass (the patched kernel's behaviour): refused, the kernel counted
 * the refused mmap (stub_stats mmap_denied grew across that step), and
 * afterwards the guest still forks and execs a program.
 */
#define _GNU_SOURCE
#include "tap.h"
#include "hijack_fd.h"
#include "exec_helpers.h"

#define ORIGINAL	0x33
#define MARKER		"written through a copy-on-write frame"

/* Attacker, a child of the holder: map the shared frame writable. */
static int attacker_main(unsigned char *page, int report)
{
	struct stub_hijack h;
	struct hijack_fd f;
	unsigned long pfn = 0;
	long res;
	int err;

	attack_stage(report, 0, "finding the stub");
	if (hijack_init(&h)) {
		attack_verdict(report, ATTACK_INCONCLUSIVE, "stub not found");
		return 1;
	}
	if (attack_get_fd(report, &h, &f))
		return 1;

	/* Reading the pagemap does not break the sharing; writing would. */
	err = hijack_page_frame(page, &pfn);
	if (err) {
		attack_verdict(report, ATTACK_INCONCLUSIVE,
			       "pagemap of the shared page: %s",
			       strerror(-err));
		return 1;
	}

	attack_stage(report, 1, "mapping the shared frame %#lx writable", pfn);
	res = hijack_mmap(&h, (unsigned long)page, HIJACK_PAGE_SIZE,
			  PROT_READ | PROT_WRITE, f.fd, pfn * HIJACK_PAGE_SIZE);
	if (res == -EPERM) {
		attack_verdict(report, ATTACK_REFUSED,
			       "writable mmap of the copy-on-write frame %#lx "
			       "through fd %d: EPERM", pfn, f.fd);
		return 1;
	}
	if (res != (long)page) {
		attack_verdict(report, ATTACK_INCONCLUSIVE,
			       "writable mmap of the copy-on-write frame %#lx "
			       "through fd %d returned %ld", pfn, f.fd, res);
		return 1;
	}

	/* The host now lets this store reach the shared frame. */
	attack_stage(report, 0, "writing through frame %#lx (fd %d, %s)",
		     pfn, f.fd, f.origin == HIJACK_FD_HELD ? "held" : "stolen");
	memcpy(page, MARKER, sizeof(MARKER));
	return 0;
}

/*
 * Holder, the attack child of the test: owns the page, forks the
 * attacker, judges by what it reads afterwards. When the attacker did
 * not get as far as writing, the holder ends as the attacker did, so
 * that the test reads the attacker's fate.
 */
static int holder(void *arg, int report)
{
	unsigned char *page;
	int status;
	pid_t pid;
	size_t i;

	(void)arg;
	page = mmap(NULL, HIJACK_PAGE_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED) {
		attack_verdict(report, ATTACK_INCONCLUSIVE, "mmap: %s",
			       strerror(errno));
		return 0;
	}
	memset(page, ORIGINAL, HIJACK_PAGE_SIZE);

	pid = fork();
	if (pid < 0) {
		attack_verdict(report, ATTACK_INCONCLUSIVE, "fork: %s",
			       strerror(errno));
		return 0;
	}
	if (pid == 0)
		_exit(attacker_main(page, report));

	if (waitpid(pid, &status, 0) != pid) {
		attack_verdict(report, ATTACK_INCONCLUSIVE, "waitpid: %s",
			       strerror(errno));
		return 0;
	}
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		kill(getpid(), WTERMSIG(status));
		_exit(1);	/* a signal that does not kill */
	}
	if (WEXITSTATUS(status) != 0)
		return WEXITSTATUS(status);

	/* The attacker wrote. The holder never did: what does it see? */
	if (memcmp(page, MARKER, sizeof(MARKER)) == 0) {
		attack_verdict(report, ATTACK_SUCCEEDED,
			       "the other process reads the marker written "
			       "through its copy-on-write frame");
		return 0;
	}
	for (i = 0; i < HIJACK_PAGE_SIZE && page[i] == ORIGINAL; i++)
		;
	attack_verdict(report, ATTACK_INCONCLUSIVE,
		       "the attacker's writable mapping was made, but the "
		       "other process sees %s",
		       i == HIJACK_PAGE_SIZE ? "its original page" :
		       "neither the original nor the marker");
	return 0;
}

int main(int argc, char **argv)
{
	struct attack_outcome out;
	char helper[PATH_MAX], why[128] = "";

	(void)argc;
	tap_plan(3);
	helper_path(argv[0], helper, sizeof(helper));

	attack_run_retrying(holder, NULL, &out);

	attack_print("cow_write", &out);
	tap_result(out.verdict == ATTACK_REFUSED,
		   "a writable map of a copy-on-write frame is refused (%s)",
		   attack_verdict_names[out.verdict]);
	attack_expect_counted(&out, "mmap_denied",
			      "the refused writable mmap of the shared frame");
	tap_result(run_once(helper, why, sizeof(why)) == 0,
		   "fork and exec still work after the attack%s%s",
		   why[0] ? ": " : "", why[0] ? why : "");
	return tap_exit_status();
}
