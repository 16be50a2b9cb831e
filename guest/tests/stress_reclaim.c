// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: memory pressure that reclaims pages mapped by other processes.
 * Meant for a small guest (boot-guest --mem 128M); it sizes itself from
 * /proc/meminfo, so it also runs, more slowly, with more memory.
 *
 * Host files are read-only over hostfs, so their page cache is clean and
 * reclaimable without swap (anonymous and tmpfs memory is not). The test
 * takes the Debian source package the harness fetched (the .deb in
 * build/debs, found next to this program) and, if that is missing or
 * too small for the guest, the largest files under /usr, until the set
 * is 1.25 times the guest's memory (64 MiB to 768 MiB), and records a
 * checksum of every page with pread().
 *
 * Then, for DURATION_S seconds:
 *   - NREADERS processes mmap the whole set and keep walking it, each
 *     from another starting point, checking every page against its
 *     checksum. Reader 0 maps it MAP_PRIVATE and writes a marker into
 *     every 64th page, so it also holds copy-on-write copies that must
 *     survive while the file pages around them come and go;
 *   - a hog allocates the memory that was available at the start less a
 *     margin, fills it and keeps rereading it.
 * Every reclaimed page was mapped by readers, so reclaim unmaps it from
 * other processes' page tables (and hosts) before the frame is reused.
 *
 * Pass: every page read through a mapping matches its checksum, the
 * private copies and the hog's memory are intact, nobody is killed, and
 * reclaim happened: /proc/vmstat pgscan and pgsteal grew, and readers
 * took major faults on pages they had already mapped in an earlier pass.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "tap.h"

#ifndef DURATION_S
#define DURATION_S	20
#endif
#define NREADERS	3
#define MAX_FILES	32
#define MIN_SET		(64UL << 20)
#define MAX_SET		(768UL << 20)
#define MIN_FILE	(4UL << 20)
#define HOG_MARGIN	(48UL << 20)
#define HOG_CHUNK	(4UL << 20)
#define COW_EVERY	64
#define WAIT_GRACE_S	120

struct file {
	char path[PATH_MAX];
	off_t size;
	size_t pages;
	size_t first;		/* index of its first page in the set */
	int fd;
};

struct reader_stats {
	unsigned long passes, pages, bad, file_changed, cow_bad;
	unsigned long majflt_total, majflt_after_first_pass;
	int setup_failed;
};

struct control {
	volatile int stop;
	volatile int hog_filled;
	unsigned long hog_bytes, hog_bad;
	struct reader_stats reader[NREADERS];
};

static struct file files[MAX_FILES];
static int nfiles;
static size_t total_pages;
static uint64_t *sums;
static size_t page_size;
static struct control *ctl;

static uint64_t page_sum(const unsigned char *p)
{
	const uint64_t *w = (const uint64_t *)p;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < page_size / 8; i++)
		h = (h ^ w[i]) * 0x100000001b3ULL;
	return h;
}

static int known(const char *path)
{
	int i;

	for (i = 0; i < nfiles; i++)
		if (!strcmp(files[i].path, path))
			return 1;
	return 0;
}

static size_t set_bytes(void)
{
	size_t total = 0;
	int i;

	for (i = 0; i < nfiles; i++)
		total += files[i].pages * page_size;
	return total;
}

static void add_file(const char *path, off_t size)
{
	if (nfiles == MAX_FILES || known(path))
		return;
	snprintf(files[nfiles].path, sizeof(files[nfiles].path), "%s", path);
	files[nfiles].size = size;
	files[nfiles].pages = size / page_size;	/* whole pages only */
	nfiles++;
}

/* The largest regular file in DIR (not recursive) not yet taken. */
static void largest_in(const char *dir, char *best, off_t *best_size)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st) || !S_ISREG(st.st_mode) ||
		    st.st_size < (off_t)MIN_FILE || known(path))
			continue;
		if (st.st_size > *best_size) {
			*best_size = st.st_size;
			snprintf(best, PATH_MAX, "%s", path);
		}
	}
	closedir(d);
}

static void pick_files(size_t target)
{
	static const char *const dirs[] = {
		"/usr/lib/x86_64-linux-gnu", "/usr/bin", "/usr/lib",
		"/usr/libexec", "/usr/sbin", "/usr/lib/gcc/x86_64-linux-gnu/12",
		"/usr/lib/gcc/x86_64-linux-gnu/13", "/usr/lib/gcc/x86_64-linux-gnu/14",
	};
	char exe[PATH_MAX - 16], debs[PATH_MAX], best[PATH_MAX], *slash;
	ssize_t n;
	unsigned int i;

	/* build/guest/stress_reclaim -> build/debs */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			snprintf(debs, sizeof(debs), "%s/../debs", exe);
			while (set_bytes() < target) {
				off_t size = 0;

				best[0] = 0;
				largest_in(debs, best, &size);
				if (!size)
					break;
				add_file(best, size);
			}
		}
	}
	while (set_bytes() < target) {
		off_t size = 0;

		best[0] = 0;
		for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
			largest_in(dirs[i], best, &size);
		if (!size)
			break;
		add_file(best, size);
	}
}

/* Checksums of every page of the set, read with pread(). */
static int checksum_files(void)
{
	static unsigned char buf[1 << 16];
	size_t page, done;
	int i;

	sums = malloc(total_pages * sizeof(*sums));
	if (!sums)
		return -1;
	for (i = 0; i < nfiles; i++) {
		for (done = 0; done < files[i].pages;) {
			size_t chunk = files[i].pages - done;
			ssize_t got;

			if (chunk > sizeof(buf) / page_size)
				chunk = sizeof(buf) / page_size;
			got = pread(files[i].fd, buf, chunk * page_size,
				    done * page_size);
			if (got < (ssize_t)page_size) {
				tap_diag("pread %s: %s", files[i].path,
					 got < 0 ? strerror(errno) : "short");
				return -1;
			}
			chunk = got / page_size;
			for (page = 0; page < chunk; page++)
				sums[files[i].first + done + page] =
					page_sum(buf + page * page_size);
			done += chunk;
		}
	}
	return 0;
}

static unsigned long majflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_majflt;
}

static void reader(int id)
{
	struct reader_stats *st = &ctl->reader[id];
	unsigned char *map[MAX_FILES];
	unsigned char page_buf[4096];
	size_t pos, done, start;
	unsigned long first_pass_faults = 0;
	int i, f, priv = id == 0;

	for (i = 0; i < nfiles; i++) {
		map[i] = mmap(NULL, files[i].pages * page_size,
			      priv ? PROT_READ | PROT_WRITE : PROT_READ,
			      /* no commit charge for a set larger than RAM */
			      priv ? MAP_PRIVATE | MAP_NORESERVE : MAP_SHARED,
			      files[i].fd, 0);
		if (map[i] == MAP_FAILED) {
			st->setup_failed = 1;
			return;
		}
	}

	/* Private copies: a marker at the start of every 64th page. */
	if (priv)
		for (f = 0; f < nfiles; f++)
			for (pos = 0; pos < files[f].pages; pos += COW_EVERY)
				*(uint64_t *)(map[f] + pos * page_size) =
					0xc0dec0de00000000ULL | (files[f].first + pos);

	/* Walk the set from a different point in each reader. */
	start = total_pages * id / NREADERS;
	while (!ctl->stop) {
		for (done = 0; done < total_pages && !ctl->stop; done++) {
			size_t idx = (start + done) % total_pages;
			unsigned char *p;
			uint64_t want = sums[idx];

			for (f = 0; f < nfiles - 1 &&
			     idx >= files[f + 1].first; f++)
				;
			pos = idx - files[f].first;
			p = map[f] + pos * page_size;
			st->pages++;
			if (priv && pos % COW_EVERY == 0) {
				uint64_t mark = 0xc0dec0de00000000ULL | idx;

				if (*(volatile uint64_t *)p != mark)
					st->cow_bad++;
				continue;
			}
			if (page_sum(p) == want)
				continue;
			/* Tell a changed file from a wrong mapping. */
			if (pread(files[f].fd, page_buf, page_size,
				  pos * page_size) == (ssize_t)page_size &&
			    page_sum(page_buf) != want)
				st->file_changed++;
			else
				st->bad++;
		}
		if (!ctl->stop || done == total_pages)
			st->passes++;
		if (st->passes == 1 && !first_pass_faults)
			first_pass_faults = majflt() + 1;
	}
	st->majflt_total = majflt();
	if (first_pass_faults)
		st->majflt_after_first_pass = st->majflt_total -
					      (first_pass_faults - 1);
}

static void hog(size_t bytes)
{
	size_t chunks = bytes / HOG_CHUNK, c, i;
	uint64_t **mem = calloc(chunks, sizeof(*mem));

	if (!mem)
		return;
	for (c = 0; c < chunks && !ctl->stop; c++) {
		mem[c] = mmap(NULL, HOG_CHUNK, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem[c] == MAP_FAILED) {
			mem[c] = NULL;
			break;
		}
		for (i = 0; i < HOG_CHUNK / 8; i += 512 / 8)
			mem[c][i] = (c << 32) ^ i ^ 0x4806480648064806ULL;
		ctl->hog_bytes += HOG_CHUNK;
	}
	ctl->hog_filled = 1;
	while (!ctl->stop) {
		for (c = 0; c < chunks && mem[c] && !ctl->stop; c++)
			for (i = 0; i < HOG_CHUNK / 8; i += 512 / 8)
				if (mem[c][i] != ((c << 32) ^ i ^
						  0x4806480648064806ULL))
					ctl->hog_bad++;
		usleep(100 * 1000);
	}
}

static long meminfo_kb(const char *key)
{
	char line[256];
	long value = -1;
	size_t len = strlen(key);
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':') {
			value = atol(line + len + 1);
			break;
		}
	fclose(f);
	return value;
}

#define NSTAT 16
struct vmstat {
	char name[NSTAT][64];
	unsigned long long value[NSTAT];
	int n;
};

/* The pgscan*, pgsteal*, workingset_refault_file and pgmajfault lines. */
static void read_vmstat(struct vmstat *v)
{
	char name[64];
	unsigned long long value;
	FILE *f = fopen("/proc/vmstat", "r");

	v->n = 0;
	if (!f)
		return;
	while (v->n < NSTAT && fscanf(f, "%63s %llu", name, &value) == 2) {
		if (strncmp(name, "pgscan", 6) && strncmp(name, "pgsteal", 7) &&
		    strcmp(name, "workingset_refault_file") &&
		    strcmp(name, "pgmajfault"))
			continue;
		snprintf(v->name[v->n], sizeof(v->name[0]), "%s", name);
		v->value[v->n++] = value;
	}
	fclose(f);
}

static unsigned long long delta(const struct vmstat *a,
				const struct vmstat *b, const char *prefix)
{
	unsigned long long sum = 0;
	int i, j;

	/* pgscan_anon/_file split the kswapd/direct totals: skip them. */
	for (i = 0; i < b->n; i++) {
		if (strncmp(b->name[i], prefix, strlen(prefix)) ||
		    strstr(b->name[i], "_anon") || strstr(b->name[i], "_file"))
			continue;
		for (j = 0; j < a->n; j++)
			if (!strcmp(a->name[j], b->name[i]))
				sum += b->value[i] - a->value[j];
	}
	return sum;
}

static pid_t wait_deadline(pid_t pid, int *status, int seconds)
{
	int i;

	for (i = 0; i < seconds * 10; i++) {
		pid_t got = waitpid(pid, status, WNOHANG);

		if (got == pid || (got < 0 && errno != EINTR))
			return got;
		usleep(100 * 1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	return 0;
}

int main(void)
{
	struct vmstat before, after;
	pid_t readers[NREADERS], hog_pid;
	unsigned long bad = 0, changed = 0, cow_bad = 0, pages = 0;
	unsigned long refaults = 0, min_passes = ~0UL;
	unsigned long long scanned, stolen;
	long total_kb, avail_kb;
	size_t target, hog_bytes;
	int i, status, killed = 0, setup_failed = 0, waited;
	struct timespec t0, t1;

	page_size = sysconf(_SC_PAGESIZE);
	tap_plan(6);

	total_kb = meminfo_kb("MemTotal");
	target = total_kb > 0 ? (size_t)total_kb * 1024 / 4 * 5 : MIN_SET;
	if (target < MIN_SET)
		target = MIN_SET;
	if (target > MAX_SET)
		target = MAX_SET;
	pick_files(target);
	for (i = 0; i < nfiles; i++) {
		files[i].first = total_pages;
		total_pages += files[i].pages;
		files[i].fd = open(files[i].path, O_RDONLY);
		if (files[i].fd < 0) {
			tap_diag("open %s: %s", files[i].path, strerror(errno));
			total_pages = 0;
			break;
		}
		tap_diag("file %s: %lld bytes", files[i].path,
			 (long long)files[i].size);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	tap_result(set_bytes() >= target / 2 && total_pages &&
		   checksum_files() == 0,
		   "%d host files, %zu MiB (MemTotal %ld MiB), checksummed",
		   nfiles, set_bytes() >> 20, total_kb >> 10);
	if (tap_failures)
		return tap_exit_status();
	clock_gettime(CLOCK_MONOTONIC, &t1);
	tap_diag("checksums took %ld s", (long)(t1.tv_sec - t0.tv_sec));

	ctl = mmap(NULL, sizeof(*ctl), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ctl == MAP_FAILED)
		return EXIT_FAILURE;
	memset(ctl, 0, sizeof(*ctl));

	avail_kb = meminfo_kb("MemAvailable");
	hog_bytes = avail_kb > 0 && (size_t)avail_kb * 1024 > HOG_MARGIN ?
		    (size_t)avail_kb * 1024 - HOG_MARGIN : 0;
	tap_diag("MemAvailable %ld MiB, hog %zu MiB, %d readers of %zu "
		 "pages for %d s", avail_kb >> 10, hog_bytes >> 20, NREADERS,
		 total_pages, DURATION_S);

	read_vmstat(&before);
	fflush(stdout);
	for (i = 0; i < NREADERS; i++) {
		readers[i] = fork();
		if (readers[i] == 0) {
			reader(i);
			_exit(0);
		}
	}
	hog_pid = fork();
	if (hog_pid == 0) {
		hog(hog_bytes);
		_exit(0);
	}

	/* Run DURATION_S once the hog has its memory (at most 2x that). */
	for (waited = 0; waited < 2 * DURATION_S * 10 && !ctl->hog_filled;
	     waited++)
		usleep(100 * 1000);
	sleep(DURATION_S);
	ctl->stop = 1;

	for (i = 0; i < NREADERS; i++) {
		struct reader_stats *st = &ctl->reader[i];

		if (readers[i] < 0 ||
		    wait_deadline(readers[i], &status, WAIT_GRACE_S) <= 0 ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			killed++;
			tap_diag("reader %d did not end normally (status %#x)",
				 i, status);
		}
		if (st->setup_failed) {
			setup_failed++;
			tap_diag("reader %d could not map the files", i);
		}
		bad += st->bad;
		changed += st->file_changed;
		cow_bad += st->cow_bad;
		pages += st->pages;
		refaults += st->majflt_after_first_pass;
		if (st->passes < min_passes)
			min_passes = st->passes;
		tap_diag("reader %d: %lu passes, %lu pages checked, %lu bad, "
			 "%lu major faults (%lu after its first pass)", i,
			 st->passes, st->pages, st->bad, st->majflt_total,
			 st->majflt_after_first_pass);
	}
	if (hog_pid < 0 || wait_deadline(hog_pid, &status, WAIT_GRACE_S) <= 0 ||
	    !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		killed++;
		tap_diag("hog did not end normally (status %#x)", status);
	}
	read_vmstat(&after);
	for (i = 0; i < after.n; i++) {
		int j;

		for (j = 0; j < before.n; j++)
			if (!strcmp(before.name[j], after.name[i]))
				tap_diag("vmstat %s +%llu", after.name[i],
					 after.value[i] - before.value[j]);
	}
	scanned = delta(&before, &after, "pgscan");
	stolen = delta(&before, &after, "pgsteal");

	tap_result(!killed && !setup_failed && min_passes > 0,
		   "readers and hog ran and ended normally (%d killed, %d "
		   "could not map, fewest passes %lu)", killed, setup_failed,
		   min_passes);
	tap_result(bad == 0 && changed == 0 && pages > 0,
		   "%lu file pages read through mappings match their "
		   "checksums (%lu bad, %lu changed on the host)", pages, bad,
		   changed);
	tap_result(cow_bad == 0 && ctl->hog_bad == 0 && ctl->hog_bytes > 0,
		   "private copies and %lu MiB of hog memory intact (%lu + %lu "
		   "bad)", ctl->hog_bytes >> 20, cow_bad, ctl->hog_bad);
	tap_result(scanned > 0 && stolen > 0,
		   "reclaim ran: pgscan +%llu, pgsteal +%llu", scanned, stolen);
	tap_result(refaults > 0,
		   "pages mapped by the readers were reclaimed and faulted "
		   "back: %lu major faults after first passes", refaults);
	return tap_exit_status();
}
