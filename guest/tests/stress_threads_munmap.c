// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: threads of one process change the address space concurrently.
 * All threads share one mm, so one stub (SECCOMP mode) or one ptraced
 * process (ptrace mode) serves them all, and on SMP their revocations
 * race with siblings running on other vCPUs.
 *
 * For a bounded time (DURATION_S) each of NTHREADS threads loops over:
 *   - private: mmap a region of random size, fill it, mprotect it
 *     read-only and back, punch a hole with munmap, check both sides;
 *   - shared: in one region all threads use, rework its own pages (every
 *     NTHREADS-th page): write, mprotect to PROT_NONE and back, MADV_
 *     DONTNEED (must read back as zeros), and mmap MAP_FIXED over them
 *     (an implicit munmap), while the siblings do the same next door;
 *   - hand-off: map and fill a buffer and pass it to the next thread,
 *     which checks and unmaps it (unmapped by a thread other than the
 *     one that touched it);
 *   - reader: check a region filled once at the start that nobody
 *     changes, while everything around it is remapped.
 *
 * Pass: every thread starts and ends, every call succeeds, every check
 * of the data finds the pattern written (or zeros after DONTNEED).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "tap.h"

#define NTHREADS	4
#ifndef DURATION_S
#define DURATION_S	20
#endif
#define SHARED_PAGES	(NTHREADS * 32)
#define STABLE_PAGES	64
#define MAX_PRIVATE	64	/* pages */
#define HANDOFF_PAGES	8

static size_t page_size;
static unsigned char *shared_area;
static unsigned char *stable_area;
static struct timespec deadline;

struct worker {
	pthread_t thread;
	unsigned int id;
	unsigned int seed;
	unsigned char *_Atomic mailbox;	/* a hand-off buffer for this thread */
	unsigned long rounds, handoffs_sent, handoffs_checked;
	unsigned long stable_checks;
	unsigned long private_bad, shared_bad, handoff_bad, stable_bad;
	unsigned long call_failures;
	const char *first_failure;
	int first_errno;
};

static struct worker workers[NTHREADS];

static uint64_t word(uint64_t tag, size_t i)
{
	return (tag * 0x9e3779b97f4a7c15ULL) ^ (i * 0xff51afd7ed558ccdULL);
}

static void fill(unsigned char *p, size_t len, uint64_t tag)
{
	size_t i;

	for (i = 0; i < len / 8; i++)
		((uint64_t *)p)[i] = word(tag, i);
}

/* Check bytes [start, end) of a buffer filled by fill(p, ..., tag). */
static int check_range(const unsigned char *p, size_t start, size_t end,
		       uint64_t tag)
{
	size_t i;

	for (i = start / 8; i < end / 8; i++)
		if (((const uint64_t *)p)[i] != word(tag, i))
			return 0;
	return 1;
}

static int check(const unsigned char *p, size_t len, uint64_t tag)
{
	return check_range(p, 0, len, tag);
}

static int check_zero(const unsigned char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (((const uint64_t *)p)[i])
			return 0;
	return 1;
}

static int expired(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > deadline.tv_sec ||
	       (now.tv_sec == deadline.tv_sec &&
		now.tv_nsec >= deadline.tv_nsec);
}

static void failed_call(struct worker *w, const char *what)
{
	if (!w->call_failures++) {
		w->first_failure = what;
		w->first_errno = errno;
	}
}

static uint64_t tag_of(struct worker *w, unsigned int what)
{
	return ((uint64_t)w->id << 56) ^ ((uint64_t)what << 48) ^ w->rounds;
}

static void private_round(struct worker *w)
{
	size_t pages = 4 + rand_r(&w->seed) % (MAX_PRIVATE - 4);
	size_t len = pages * page_size, hole = pages / 4;
	uint64_t tag = tag_of(w, 1);
	unsigned char *p;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		failed_call(w, "mmap private");
		return;
	}
	fill(p, len, tag);
	if (mprotect(p, len, PROT_READ))
		failed_call(w, "mprotect private RO");
	if (!check(p, len, tag))
		w->private_bad++;
	if (mprotect(p, len, PROT_READ | PROT_WRITE))
		failed_call(w, "mprotect private RW");
	fill(p, len, tag + 1);
	/* Hole of pages/4 pages starting at the second quarter. */
	if (munmap(p + hole * page_size, hole * page_size))
		failed_call(w, "munmap private hole");
	if (!check_range(p, 0, hole * page_size, tag + 1) ||
	    !check_range(p, 2 * hole * page_size, len, tag + 1))
		w->private_bad++;
	/*
	 * Unmap the two pieces left, not [p, p + len): a sibling may have
	 * been given the hole by now.
	 */
	if (munmap(p, hole * page_size) ||
	    munmap(p + 2 * hole * page_size, len - 2 * hole * page_size))
		failed_call(w, "munmap private");
}

/* This thread's pages of the shared area: page i with i % NTHREADS == id. */
static void shared_round(struct worker *w)
{
	uint64_t tag = tag_of(w, 2);
	size_t i;
	unsigned char *p;
	unsigned int step = w->rounds % 4;

	for (i = w->id; i < SHARED_PAGES; i += NTHREADS) {
		p = shared_area + i * page_size;
		switch (step) {
		case 0:
			fill(p, page_size, tag + i);
			if (mprotect(p, page_size, PROT_NONE))
				failed_call(w, "mprotect shared NONE");
			if (mprotect(p, page_size, PROT_READ | PROT_WRITE))
				failed_call(w, "mprotect shared RW");
			if (!check(p, page_size, tag + i))
				w->shared_bad++;
			break;
		case 1:
			fill(p, page_size, tag + i);
			if (madvise(p, page_size, MADV_DONTNEED))
				failed_call(w, "madvise shared DONTNEED");
			if (!check_zero(p, page_size))
				w->shared_bad++;
			break;
		case 2:
			fill(p, page_size, tag + i);
			if (mmap(p, page_size, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
				 -1, 0) != p)
				failed_call(w, "mmap MAP_FIXED shared");
			if (!check_zero(p, page_size))
				w->shared_bad++;
			fill(p, page_size, tag + i);
			break;
		case 3:
			fill(p, page_size, tag + i);
			if (mprotect(p, page_size, PROT_READ))
				failed_call(w, "mprotect shared RO");
			if (!check(p, page_size, tag + i))
				w->shared_bad++;
			if (mprotect(p, page_size, PROT_READ | PROT_WRITE))
				failed_call(w, "mprotect shared RW");
			break;
		}
	}
}

static void handoff_round(struct worker *w)
{
	struct worker *next = &workers[(w->id + 1) % NTHREADS];
	size_t len = HANDOFF_PAGES * page_size;
	unsigned char *mine, *p, *expected = NULL;
	uint64_t tag;

	/* Check and unmap what the previous thread left for us. */
	mine = atomic_exchange(&w->mailbox, NULL);
	if (mine) {
		memcpy(&tag, mine + len - 8, 8);
		if (!check(mine, len - 8, tag))
			w->handoff_bad++;
		if (munmap(mine, len))
			failed_call(w, "munmap hand-off");
		w->handoffs_checked++;
	}

	/* Post a new buffer when the next thread's mailbox is empty. */
	if (atomic_load(&next->mailbox))
		return;
	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		failed_call(w, "mmap hand-off");
		return;
	}
	tag = tag_of(w, 3);
	fill(p, len - 8, tag);
	memcpy(p + len - 8, &tag, 8);
	if (atomic_compare_exchange_strong(&next->mailbox, &expected, p))
		w->handoffs_sent++;
	else if (munmap(p, len))
		failed_call(w, "munmap unsent hand-off");
}

static void stable_round(struct worker *w)
{
	if (!check(stable_area, STABLE_PAGES * page_size, 0x57ab1e))
		w->stable_bad++;
	w->stable_checks++;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	while (!expired()) {
		private_round(w);
		shared_round(w);
		handoff_round(w);
		if (w->rounds % 8 == 0)
			stable_round(w);
		w->rounds++;
	}
	return NULL;
}

int main(void)
{
	unsigned long rounds = 0, sent = 0, checked = 0, stable_checks = 0;
	unsigned long private_bad = 0, shared_bad = 0, handoff_bad = 0;
	unsigned long stable_bad = 0, call_failures = 0;
	unsigned int i, started = 0, joined = 0;
	unsigned char *left;
	int err;

	page_size = sysconf(_SC_PAGESIZE);
	tap_plan(6);

	shared_area = mmap(NULL, SHARED_PAGES * page_size,
			   PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	stable_area = mmap(NULL, STABLE_PAGES * page_size,
			   PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (shared_area == MAP_FAILED || stable_area == MAP_FAILED) {
		tap_diag("mmap: %s", strerror(errno));
		return EXIT_FAILURE;
	}
	fill(stable_area, STABLE_PAGES * page_size, 0x57ab1e);
	memset(shared_area, 0, SHARED_PAGES * page_size);

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += DURATION_S;
	for (i = 0; i < NTHREADS; i++) {
		workers[i].id = i;
		workers[i].seed = 0x1234 + i;
		err = pthread_create(&workers[i].thread, NULL, worker_main,
				     &workers[i]);
		if (err) {
			tap_diag("pthread_create %u: %s", i, strerror(err));
			break;
		}
		started++;
	}
	tap_result(started == NTHREADS, "%u of %u threads started", started,
		   NTHREADS);

	for (i = 0; i < started; i++)
		if (pthread_join(workers[i].thread, NULL) == 0)
			joined++;
	for (i = 0; i < started; i++) {
		struct worker *w = &workers[i];

		/* A buffer posted after its receiver's last round. */
		left = atomic_exchange(&w->mailbox, NULL);
		if (left)
			munmap(left, HANDOFF_PAGES * page_size);
		rounds += w->rounds;
		sent += w->handoffs_sent;
		checked += w->handoffs_checked;
		stable_checks += w->stable_checks;
		private_bad += w->private_bad;
		shared_bad += w->shared_bad;
		handoff_bad += w->handoff_bad;
		stable_bad += w->stable_bad;
		call_failures += w->call_failures;
		if (w->call_failures)
			tap_diag("thread %u: %lu failed calls, first: %s (%s)",
				 i, w->call_failures, w->first_failure,
				 strerror(w->first_errno));
		tap_diag("thread %u: %lu rounds", i, w->rounds);
	}
	tap_diag("%lu rounds in %d s, %lu hand-offs sent, %lu checked, "
		 "%lu checks of the stable region", rounds, DURATION_S, sent,
		 checked, stable_checks);

	tap_result(joined == started && call_failures == 0,
		   "%u threads joined, %lu failed mmap/munmap/mprotect/madvise "
		   "calls", joined, call_failures);
	tap_result(private_bad == 0 && rounds > 0,
		   "private regions intact (%lu bad checks)", private_bad);
	tap_result(shared_bad == 0,
		   "shared region: own pages intact, zero after DONTNEED and "
		   "MAP_FIXED (%lu bad checks)", shared_bad);
	tap_result(handoff_bad == 0 && checked > 0,
		   "hand-off buffers intact when unmapped by another thread "
		   "(%lu bad of %lu)", handoff_bad, checked);
	tap_result(stable_bad == 0 && stable_checks > 0,
		   "untouched region stable under concurrent remapping "
		   "(%lu bad of %lu)", stable_bad, stable_checks);
	return tap_exit_status();
}
