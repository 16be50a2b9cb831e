// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: mmap/munmap/mprotect churn. Each round maps anonymous memory,
 * fills it, downgrades it to read-only and back, to PROT_NONE and back,
 * punches a hole with a partial munmap, and maps a tmpfs file
 * MAP_PRIVATE, writing to the private copy. Every step changes the
 * guest page tables, so the stub gets mmap and munmap requests that
 * create, downgrade and revoke host mappings.
 *
 * Every 100th round, a child checks that the protections are really
 * enforced: a write to the read-only range and a read of the PROT_NONE
 * range must both fault with SIGSEGV.
 *
 * Pass: contents survive every step, the file is unchanged by private
 * writes, every call succeeds, and every enforcement probe faults.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tap.h"

#define ROUNDS		3000
#define PAGES		16
#define PROBE_EVERY	100
#define FILE_PATH	"/run/stress_mmap_churn.data"

static size_t page_size;

static void fill(unsigned char *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i += sizeof(uint32_t))
		*(uint32_t *)(p + i) = seed * 2654435761u + i;
}

/* Check bytes [start, end) of a buffer filled by fill(p, ..., seed). */
static int check_range(const unsigned char *p, size_t start, size_t end,
		       unsigned int seed)
{
	size_t i;

	for (i = start; i < end; i += sizeof(uint32_t))
		if (*(const uint32_t *)(p + i) != seed * 2654435761u + i)
			return 0;
	return 1;
}

static int check(const unsigned char *p, size_t len, unsigned int seed)
{
	return check_range(p, 0, len, seed);
}

/* Returns 1 when touching ADDR (write or read) kills a child with SIGSEGV. */
static int access_faults(volatile unsigned char *addr, int write)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return 0;
	if (pid == 0) {
		if (write)
			*addr = 1;
		else
			(void)*addr;
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid)
		return 0;
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
}

/* One round; returns NULL on success or a description of the failure. */
static const char *churn_round(unsigned int round, int file_fd,
			       int *probes_failed)
{
	size_t len = PAGES * page_size;
	unsigned char *p, *f;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return "mmap anonymous";
	fill(p, len, round);

	if (mprotect(p, len, PROT_READ))
		return "mprotect RO";
	if (!check(p, len, round))
		return "content after RW->RO";
	if (round % PROBE_EVERY == 0 && !access_faults(p + page_size, 1))
		(*probes_failed)++;

	if (mprotect(p, len, PROT_READ | PROT_WRITE))
		return "mprotect RO->RW";
	fill(p, len, round + 1);

	if (mprotect(p + 2 * page_size, 2 * page_size, PROT_NONE))
		return "mprotect PROT_NONE";
	if (round % PROBE_EVERY == 0 && !access_faults(p + 2 * page_size, 0))
		(*probes_failed)++;
	if (mprotect(p + 2 * page_size, 2 * page_size, PROT_READ | PROT_WRITE))
		return "mprotect PROT_NONE->RW";
	if (!check(p, len, round + 1))
		return "content after PROT_NONE and back";

	/* Hole in the middle; both sides must keep their contents. */
	if (munmap(p + 4 * page_size, 4 * page_size))
		return "partial munmap";
	if (!check(p, 4 * page_size, round + 1))
		return "content below the hole";
	if (!check_range(p, 8 * page_size, len, round + 1))
		return "content above the hole";
	if (munmap(p, len))
		return "munmap of the rest";

	f = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, file_fd, 0);
	if (f == MAP_FAILED)
		return "mmap file MAP_PRIVATE";
	if (!check(f, len, 7))
		return "file content through mapping";
	fill(f + page_size, page_size, round);
	if (!check(f + page_size, page_size, round))
		return "private copy content";
	if (munmap(f, len))
		return "munmap file";
	return NULL;
}

int main(void)
{
	size_t len;
	unsigned char *buf, *f;
	const char *why = NULL;
	unsigned int round;
	int fd, probes_failed = 0;

	page_size = sysconf(_SC_PAGESIZE);
	len = PAGES * page_size;
	tap_plan(4);

	buf = malloc(len);
	fd = open(FILE_PATH, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (!buf || fd < 0) {
		tap_result(0, "create %s: %s", FILE_PATH, strerror(errno));
		return tap_exit_status();
	}
	fill(buf, len, 7);
	tap_result(write(fd, buf, len) == (ssize_t)len,
		   "create %zu-byte tmpfs file", len);

	for (round = 0; round < ROUNDS && !why; round++)
		why = churn_round(round, fd, &probes_failed);
	if (why)
		tap_diag("round %u failed: %s (errno %s)", round - 1, why,
			 strerror(errno));
	tap_result(!why, "%u churn rounds", ROUNDS);
	tap_result(probes_failed == 0,
		   "RO write and PROT_NONE read fault (%d probes failed)",
		   probes_failed);

	f = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	tap_result(f != MAP_FAILED && check(f, len, 7),
		   "file unchanged by private writes");
	close(fd);
	unlink(FILE_PATH);
	return tap_exit_status();
}
