// SPDX-License-Identifier: GPL-2.0
/*
 * handoff - the cost of one guest/kernel hand-off, seen from the guest.
 *
 * In SECCOMP mode every guest syscall traps into the stub, which parks so
 * that the UML kernel handles it and then resumes the stub: one round
 * trip per syscall. getppid() does next to nothing in the kernel, so the
 * time per call is the hand-off. A first touch of an anonymous page adds
 * the page fault and the stub mmap that maps it.
 *
 * Prints one line: "# bench: syscall_ns N fault_ns N".
 * Usage: handoff [SYSCALLS] (default 200000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define FAULT_AREA_BYTES (64UL << 20)
#define PAGE_BYTES 4096UL

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	long calls = argc > 1 ? atol(argv[1]) : 200000;
	double start, syscall_s, fault_s;
	unsigned long off;
	char *area;
	long i;

	if (calls <= 0) {
		fprintf(stderr, "usage: %s [SYSCALLS > 0]\n", argv[0]);
		return 2;
	}

	start = now();
	for (i = 0; i < calls; i++)
		syscall(SYS_getppid);
	syscall_s = now() - start;

	area = mmap(NULL, FAULT_AREA_BYTES, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED) {
		perror("mmap");
		return 1;
	}
	start = now();
	for (off = 0; off < FAULT_AREA_BYTES; off += PAGE_BYTES)
		area[off] = 1;
	fault_s = now() - start;

	printf("# bench: syscall_ns %.0f fault_ns %.0f\n",
	       syscall_s * 1e9 / calls,
	       fault_s * 1e9 / (FAULT_AREA_BYTES / PAGE_BYTES));
	return 0;
}
