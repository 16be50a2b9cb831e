// SPDX-License-Identifier: GPL-2.0
/*
 * bench - one workload of the benchmark suite, timed from inside the guest.
 *
 * usage: bench syscall  N            N getppid() calls, ns per call
 *        bench fault    N            first touch of N fresh anonymous
 *                                    pages, ns per fault
 *        bench churn    N            N rounds of mmap 16 pages, touch,
 *                                    mprotect, munmap; ns per round
 *        bench forkexec N TINY       N rounds of fork, exec TINY, wait;
 *                                    us per round
 *        bench compile  N SRC [GCC]  N compiles of SRC (copied to /run)
 *                                    with the host's gcc; ms per compile
 *
 * Each run prints exactly one result line on stdout:
 *
 *   # bench: <workload> <value> <unit> ops=<timed> total=<all>
 *
 * where ops is the number of timed operations and total the number of
 * operations the process performed, warm-up included (the init script
 * divides its stub-statistics deltas by the sum of the totals). Any
 * failure prints "# bench-error: <workload> <reason>" and exits non-zero.
 *
 * What the workloads stand for:
 *  - syscall: the bare guest/kernel hand-off (one park per call);
 *  - fault: demand paging, one fault plus one stub mmap per page;
 *  - churn: the mmap/mprotect/munmap traffic of allocators, which in the
 *    patched kernel means validated mmaps and witnessed revocations;
 *  - forkexec: process creation and teardown, a new address space each;
 *  - compile: a real job. Running the host's gcc (driver, cc1, as,
 *    collect2, ld) on a small C file is exec-heavy (five programs per
 *    compile), mmap-heavy (dynamic loading of large binaries and
 *    libraries) and fault-heavy (cc1 touches tens of MiB), which is what
 *    a guest under real use spends its hand-offs on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE_BYTES 4096UL
#define CHURN_PAGES 16UL
#define JOB_SRC "/run/job.c"
#define JOB_BIN "/run/job"

static const char *workload = "?";

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/* report a failure; with errno set, its text is added */
static void fail(const char *fmt, const char *what)
{
	int err = errno;

	printf("# bench-error: %s ", workload);
	printf(fmt, what);
	if (err)
		printf(" (%s)", strerror(err));
	printf("\n");
	fflush(stdout);
	exit(1);
}

static void result(double value, const char *unit, long ops, long total)
{
	printf("# bench: %s %.3f %s ops=%ld total=%ld\n", workload, value, unit,
	       ops, total);
	fflush(stdout);
}

static void run_syscall(long n)
{
	long warm = n / 100 + 1, i;
	double t0;

	for (i = 0; i < warm; i++)
		syscall(SYS_getppid);
	t0 = now_ns();
	for (i = 0; i < n; i++)
		syscall(SYS_getppid);
	result((now_ns() - t0) / n, "ns/call", n, n + warm);
}

static void run_fault(long n)
{
	volatile char *area;
	double t0;
	long i;

	area = mmap(NULL, n * PAGE_BYTES, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		fail("mmap of %s pages", "the fault area");
	t0 = now_ns();
	for (i = 0; i < n; i++)
		area[i * PAGE_BYTES] = (char)i;
	result((now_ns() - t0) / n, "ns/fault", n, n);
}

static void churn_once(void)
{
	volatile char *p;
	unsigned long i;

	p = mmap(NULL, CHURN_PAGES * PAGE_BYTES, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		fail("%s", "mmap");
	for (i = 0; i < CHURN_PAGES; i++)
		p[i * PAGE_BYTES] = (char)i;
	if (mprotect((void *)p, CHURN_PAGES * PAGE_BYTES, PROT_READ))
		fail("%s", "mprotect");
	if (p[PAGE_BYTES] != 1)
		fail("%s", "page content lost");
	if (munmap((void *)p, CHURN_PAGES * PAGE_BYTES))
		fail("%s", "munmap");
}

static void run_churn(long n)
{
	long warm = n / 20 + 1, i;
	double t0;

	for (i = 0; i < warm; i++)
		churn_once();
	t0 = now_ns();
	for (i = 0; i < n; i++)
		churn_once();
	result((now_ns() - t0) / n, "ns/round", n, n + warm);
}

/* fork, exec argv[0] with the given environment, wait; 0 if it exited 0 */
static int spawn_wait(char *const argv[], char *const envp[])
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		fail("%s", "fork");
	if (pid == 0) {
		execve(argv[0], argv, envp);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		fail("%s", "waitpid");
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void run_forkexec(long n, const char *tiny)
{
	char *argv[] = { (char *)tiny, NULL };
	char *envp[] = { NULL };
	long warm = n / 20 + 1, i;
	double t0 = 0;

	for (i = 0; i < warm + n; i++) {
		if (i == warm)
			t0 = now_ns();
		if (spawn_wait(argv, envp)) {
			errno = 0;
			fail("%s did not exit with status 0", tiny);
		}
	}
	result((now_ns() - t0) / n / 1e3, "us/round", n, n + warm);
}

static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in, out;
	ssize_t got;

	in = open(from, O_RDONLY);
	if (in < 0)
		fail("open %s", from);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0)
		fail("create %s", to);
	while ((got = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, got) != got)
			fail("write %s", to);
	if (got < 0)
		fail("read %s", from);
	close(in);
	close(out);
}

static void run_compile(long n, const char *src, const char *gcc)
{
	char *cc_argv[] = { (char *)gcc, "-O2", "-Wall", "-o", JOB_BIN,
			    JOB_SRC, NULL };
	char *job_argv[] = { JOB_BIN, NULL };
	char *envp[] = { "PATH=/usr/bin:/bin", "TMPDIR=/run", "LC_ALL=C",
			 NULL };
	double t0 = 0, elapsed;
	long i;

	copy_file(src, JOB_SRC);
	/* the first compile pulls gcc's files into the guest page cache */
	for (i = 0; i < n + 1; i++) {
		if (i == 1)
			t0 = now_ns();
		if (spawn_wait(cc_argv, envp)) {
			errno = 0;
			fail("%s failed in the guest", gcc);
		}
	}
	elapsed = now_ns() - t0;
	/* the result must run: the job program checks itself (not timed) */
	if (spawn_wait(job_argv, envp)) {
		errno = 0;
		fail("%s did not pass its self-check", JOB_BIN);
	}
	result(elapsed / n / 1e6, "ms/compile", n, n + 1);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: bench syscall|fault|churn N\n"
		"       bench forkexec N TINY\n"
		"       bench compile N SRC [GCC]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	char *end;
	long n;

	if (argc < 3)
		usage();
	workload = argv[1];
	errno = 0;
	n = strtol(argv[2], &end, 10);
	if (errno || *end || n <= 0)
		usage();

	if (!strcmp(workload, "syscall") && argc == 3)
		run_syscall(n);
	else if (!strcmp(workload, "fault") && argc == 3)
		run_fault(n);
	else if (!strcmp(workload, "churn") && argc == 3)
		run_churn(n);
	else if (!strcmp(workload, "forkexec") && argc == 4)
		run_forkexec(n, argv[3]);
	else if (!strcmp(workload, "compile") && (argc == 4 || argc == 5))
		run_compile(n, argv[3], argc == 5 ? argv[4] : "/usr/bin/gcc");
	else
		usage();
	return 0;
}
