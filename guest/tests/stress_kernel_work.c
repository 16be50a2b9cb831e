// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: single system calls that keep the kernel busy for a long time
 * while the calling process's stub just waits for the answer.
 *
 *  (a) A large munmap: map up to 512 MiB of anonymous memory (at most
 *      about 60% of MemAvailable, at least 64 MiB; 256 MiB when the
 *      first mmap fails), touch every page, then unmap the whole range
 *      with one munmap call. Three rounds.
 *  (b) A large read over hostfs: read $guest_bin/hostfs_read.dat (made by
 *      "make -C guest", 256 MiB) from start to end with 1 MiB read()s,
 *      twice, dropping the guest's page cache of it in between so that
 *      the second pass goes to the host again.
 *
 * Pass: every mmap and munmap succeeds; the data file exists, holds at
 * least 256 MiB, and both passes read exactly its size. None of this may
 * get the process killed by the kernel's stub deadline.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "tap.h"

#define MUNMAP_ROUNDS		3
#define MUNMAP_WANT_MIB		512UL
#define MUNMAP_FALLBACK_MIB	256UL
#define MUNMAP_MIN_MIB		64UL
#define MEM_AVAILABLE_PERCENT	60

#define READ_FILE_NAME		"hostfs_read.dat"
#define READ_FILE_MIN_BYTES	(256LL << 20)
#define READ_CHUNK		(1UL << 20)
#define READ_PASSES		2

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - start->tv_sec) +
	       (now.tv_nsec - start->tv_nsec) / 1e9;
}

/* MemAvailable from /proc/meminfo in MiB, or -1 if it cannot be read. */
static long mem_available_mib(void)
{
	char line[256];
	long kib = -1;
	FILE *f;

	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib < 0 ? -1 : kib / 1024;
}

static unsigned long pick_region_mib(void)
{
	long avail = mem_available_mib();
	unsigned long mib = MUNMAP_WANT_MIB;

	if (avail < 0) {
		tap_diag("MemAvailable not found in /proc/meminfo; trying %lu MiB",
			 mib);
		return mib;
	}
	if ((unsigned long)avail * MEM_AVAILABLE_PERCENT / 100 < mib)
		mib = (unsigned long)avail * MEM_AVAILABLE_PERCENT / 100;
	if (mib < MUNMAP_MIN_MIB)
		mib = MUNMAP_MIN_MIB;
	tap_diag("MemAvailable %ld MiB: mapping %lu MiB per round", avail, mib);
	return mib;
}

static void munmap_round(int round, unsigned long mib, size_t page_size)
{
	struct timespec start;
	unsigned char *base;
	size_t bytes = mib << 20, off;
	double touch_s, unmap_s;
	int ret, err;

	base = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED && mib > MUNMAP_FALLBACK_MIB) {
		tap_diag("round %d: mmap of %lu MiB: %s; trying %lu MiB", round,
			 mib, strerror(errno), MUNMAP_FALLBACK_MIB);
		mib = MUNMAP_FALLBACK_MIB;
		bytes = mib << 20;
		base = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	}
	if (base == MAP_FAILED) {
		tap_result(0, "round %d: mmap of %lu MiB: %s", round, mib,
			   strerror(errno));
		return;
	}

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (off = 0; off < bytes; off += page_size)
		base[off] = (unsigned char)(off / page_size + round);
	touch_s = seconds_since(&start);

	clock_gettime(CLOCK_MONOTONIC, &start);
	ret = munmap(base, bytes);
	err = errno;
	unmap_s = seconds_since(&start);

	tap_result(ret == 0,
		   "round %d: munmap of %lu MiB (%zu touched pages) in one call: %s, %.0f ms (touching took %.0f ms)",
		   round, mib, bytes / page_size,
		   ret == 0 ? "ok" : strerror(err), unmap_s * 1000,
		   touch_s * 1000);
}

/* Where the data file is: $guest_bin, else the directory of argv[0]. */
static void data_path(const char *argv0, char *out, size_t size)
{
	const char *dir = getenv("guest_bin");
	char copy[PATH_MAX];

	if (dir && *dir) {
		snprintf(out, size, "%s/%s", dir, READ_FILE_NAME);
		return;
	}
	snprintf(copy, sizeof(copy), "%s", argv0);
	snprintf(out, size, "%s/%s", dirname(copy), READ_FILE_NAME);
}

/* Read FD from the start to EOF; returns the bytes read, -1 on error. */
static long long read_all(int fd, char *buf, int *err)
{
	long long total = 0;
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) != 0) {
		*err = errno;
		return -1;
	}
	for (;;) {
		n = read(fd, buf, READ_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = errno;
			return -1;
		}
		if (n == 0)
			return total;
		total += n;
	}
}

static void read_test(const char *argv0)
{
	char path[PATH_MAX];
	struct timespec start;
	struct stat st;
	long long got;
	double secs;
	char *buf;
	int fd, pass, err = 0, size_ok;

	memset(&st, 0, sizeof(st));
	data_path(argv0, path, sizeof(path));
	fd = open(path, O_RDONLY);
	if (fd < 0) {
		tap_result(0, "%s: %s (the harness must create it: make -C guest OUT=<dir of the test programs>)",
			   path, strerror(errno));
		for (pass = 1; pass <= READ_PASSES; pass++)
			tap_result(0, "read pass %d: no data file", pass);
		return;
	}
	if (fstat(fd, &st)) {
		err = errno;
		st.st_size = -1;
	}
	size_ok = S_ISREG(st.st_mode) && st.st_size >= READ_FILE_MIN_BYTES;
	tap_result(size_ok, "%s: %lld bytes%s%s", path,
		   (long long)st.st_size,
		   size_ok ? "" : ", need a regular file of at least 256 MiB",
		   size_ok ? "" : " (recreate it with make -C guest)");
	if (!size_ok) {
		if (err)
			tap_diag("fstat: %s", strerror(err));
		for (pass = 1; pass <= READ_PASSES; pass++)
			tap_result(0, "read pass %d: data file unusable", pass);
		close(fd);
		return;
	}

	buf = malloc(READ_CHUNK);
	if (!buf) {
		for (pass = 1; pass <= READ_PASSES; pass++)
			tap_result(0, "read pass %d: no 1 MiB buffer", pass);
		close(fd);
		return;
	}
	for (pass = 1; pass <= READ_PASSES; pass++) {
		/* Make this pass fetch the data from the host again. */
		err = posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		if (err)
			tap_diag("pass %d: posix_fadvise(DONTNEED): %s", pass,
				 strerror(err));
		clock_gettime(CLOCK_MONOTONIC, &start);
		got = read_all(fd, buf, &err);
		secs = seconds_since(&start);
		if (got < 0) {
			tap_result(0, "read pass %d: read: %s", pass,
				   strerror(err));
			continue;
		}
		tap_result(got == (long long)st.st_size,
			   "read pass %d: %lld of %lld bytes in 1 MiB reads, %.0f ms, %.1f MiB/s",
			   pass, got, (long long)st.st_size, secs * 1000,
			   secs > 0 ? got / 1048576.0 / secs : 0.0);
	}
	free(buf);
	close(fd);
}

int main(int argc, char **argv)
{
	size_t page_size = sysconf(_SC_PAGESIZE);
	unsigned long mib;
	int round;

	(void)argc;
	/* munmap rounds, data file, read passes */
	tap_plan(MUNMAP_ROUNDS + 1 + READ_PASSES);

	mib = pick_region_mib();
	for (round = 1; round <= MUNMAP_ROUNDS; round++)
		munmap_round(round, mib, page_size);

	read_test(argv[0]);
	return tap_exit_status();
}
