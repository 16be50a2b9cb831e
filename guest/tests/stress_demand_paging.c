// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: demand paging of 256 MiB of anonymous memory. Every first
 * touch of a page faults, and the new frame must be mapped into the
 * stub's host address space (one stub mmap each, or merged runs).
 *
 * Pass: the mapping succeeds, every page holds the pattern written to it
 * (including after a second pass over the whole range), and munmap
 * succeeds.
 */
#include <stdint.h>
#include <string.h>
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>
#include "tap.h"

#define REGION_BYTES (256UL << 20)

static uint64_t pattern(size_t page, unsigned int pass)
{
	return 0x9e3779b97f4a7c15ULL * (page + 1) ^ pass;
}

/* Write one word per 512 bytes; returns pages whose words all match. */
static void fill(unsigned char *base, size_t pages, size_t page_size,
		 unsigned int pass)
{
	size_t page, off;

	for (page = 0; page < pages; page++)
		for (off = 0; off < page_size; off += 512)
			*(uint64_t *)(base + page * page_size + off) =
				pattern(page, pass) + off;
}

static size_t count_bad_pages(unsigned char *base, size_t pages,
			      size_t page_size, unsigned int pass)
{
	size_t page, off, bad = 0;

	for (page = 0; page < pages; page++)
		for (off = 0; off < page_size; off += 512)
			if (*(uint64_t *)(base + page * page_size + off) !=
			    pattern(page, pass) + off) {
				bad++;
				break;
			}
	return bad;
}

int main(void)
{
	size_t page_size = sysconf(_SC_PAGESIZE);
	size_t pages = REGION_BYTES / page_size;
	unsigned char *base;
	size_t bad;

	tap_plan(4);

	base = mmap(NULL, REGION_BYTES, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	tap_result(base != MAP_FAILED, "mmap %lu MiB anonymous%s%s",
		   REGION_BYTES >> 20, base == MAP_FAILED ? ": " : "",
		   base == MAP_FAILED ? strerror(errno) : "");
	if (base == MAP_FAILED)
		return tap_exit_status();

	fill(base, pages, page_size, 1);
	bad = count_bad_pages(base, pages, page_size, 1);
	tap_result(bad == 0, "first touch of %zu pages: %zu bad", pages, bad);

	fill(base, pages, page_size, 2);
	bad = count_bad_pages(base, pages, page_size, 2);
	tap_result(bad == 0, "rewrite of %zu pages: %zu bad", pages, bad);

	tap_result(munmap(base, REGION_BYTES) == 0, "munmap");
	return tap_exit_status();
}
