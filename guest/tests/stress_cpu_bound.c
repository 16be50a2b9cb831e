// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: CPU-bound guest processes next to a fork/exec storm, for
 * SPIN_SECONDS. One spinner per online CPU runs pure user code: a loop on
 * a volatile counter with no system call inside, looking at the clock
 * only between long stretches (each sized to take about STRETCH_MS of
 * wall time, longer than the kernel's 5 s stub deadline). Such a stub
 * never enters the kernel on its own; the only way the kernel reaches it
 * is its timer signal, which the stub has to answer while its process is
 * in the middle of user code. Meanwhile the parent fork+exec+waits
 * true_static over and over, so stubs are created and torn down all the
 * time while the spinners hold every CPU.
 *
 * Pass: every spinner exits normally with status 0 after at least
 * SPIN_SECONDS of wall time (a spinner killed by a signal is reported
 * with the signal number: that would be a false kill of a well-behaved
 * stub), and the storm ran at least one round and none failed.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "tap.h"
#include "exec_helpers.h"

#define SPIN_SECONDS		60
/* Wall time each run of the loop without a system call aims at. */
#define STRETCH_MS		8000
/* Iterations of the first (calibrating) stretch, and the fewest of any. */
#define FIRST_STRETCH		(1UL << 22)
/* A stretch shorter than this is not used to estimate the speed. */
#define CALIBRATE_MS		50
/* How long after the storm the parent waits for the spinners. */
#define REAP_GRACE_MS		(STRETCH_MS + 20000)
#define MAX_SPINNERS		256

/* What a spinner writes to the report pipe just before it exits. */
struct spin_report {
	int index;
	long elapsed_ms;
	long longest_ms;	/* longest stretch with no system call */
	unsigned long stretches;
	unsigned long long iterations;
};

static long ms_since(const struct timespec *start)
{
	struct timespec now;

	if (clock_gettime(CLOCK_MONOTONIC, &now))
		return -1;
	return (now.tv_sec - start->tv_sec) * 1000L +
	       (now.tv_nsec - start->tv_nsec) / 1000000L;
}

/*
 * Spin for at least SPIN_SECONDS of wall time. The length of the next
 * stretch comes from the speed measured over the previous one, so it
 * follows whatever share of the CPU the spinner gets, and it is cut short
 * near the end so the spinner stops close to SPIN_SECONDS.
 */
static void spin(int index, int report_fd)
{
	const long total_ms = SPIN_SECONDS * 1000L;
	struct spin_report report = { .index = index };
	volatile unsigned long counter = 0;
	unsigned long stretch = FIRST_STRETCH, i;
	struct timespec start;
	long before_ms = 0, now_ms, took_ms, want_ms;

	if (clock_gettime(CLOCK_MONOTONIC, &start))
		_exit(3);
	for (;;) {
		for (i = 0; i < stretch; i++)
			counter++;
		report.iterations += stretch;
		report.stretches++;

		now_ms = ms_since(&start);
		if (now_ms < 0)
			_exit(3);
		took_ms = now_ms - before_ms;
		before_ms = now_ms;
		if (took_ms > report.longest_ms)
			report.longest_ms = took_ms;
		if (now_ms >= total_ms)
			break;

		want_ms = total_ms - now_ms;
		if (want_ms > STRETCH_MS)
			want_ms = STRETCH_MS;
		if (took_ms < CALIBRATE_MS)
			/* Too short to measure well: grow it step by step. */
			stretch *= 8;
		else
			stretch = (unsigned long)((double)stretch * want_ms /
						  took_ms);
		if (stretch < FIRST_STRETCH)
			stretch = FIRST_STRETCH;
	}
	report.elapsed_ms = now_ms;
	if (write(report_fd, &report, sizeof(report)) != sizeof(report))
		_exit(4);
	_exit(0);
}

int main(int argc, char **argv)
{
	static struct spin_report reports[MAX_SPINNERS];
	static pid_t pids[MAX_SPINNERS];
	static int statuses[MAX_SPINNERS], reaped[MAX_SPINNERS];
	static int have_report[MAX_SPINNERS];
	char path[PATH_MAX], why[256] = "";
	struct timespec start;
	struct spin_report report;
	long ncpus, storm_ms, waited_ms, longest_ms = 0;
	unsigned long rounds = 0, failed = 0;
	int pipefd[2], i, left, spinners;

	(void)argc;
	ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpus < 1)
		ncpus = 1;
	if (ncpus > MAX_SPINNERS)
		ncpus = MAX_SPINNERS;
	spinners = (int)ncpus;
	helper_path(argv[0], path, sizeof(path));

	/* helper, pipe, one point per spinner, storm */
	tap_plan(3 + spinners);
	tap_result(access(path, X_OK) == 0, "helper %s is executable", path);
	if (pipe(pipefd)) {
		tap_result(0, "report pipe: %s", strerror(errno));
		return tap_exit_status();
	}
	tap_result(1, "report pipe");
	tap_diag("%d spinner(s), one per online CPU, for %d s, stretches of about %d ms without a system call",
		 spinners, SPIN_SECONDS, STRETCH_MS);

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; i < spinners; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			close(pipefd[0]);
			spin(i, pipefd[1]);
		}
		if (pids[i] < 0)
			tap_diag("fork of spinner %d: %s", i, strerror(errno));
	}
	close(pipefd[1]);

	/* The storm: fork+exec+wait of true_static until the time is up. */
	while (ms_since(&start) < SPIN_SECONDS * 1000L) {
		rounds++;
		if (run_once(path, why, sizeof(why)) == 0)
			continue;
		if (failed++ < 5)
			tap_diag("storm round %lu: %s", rounds, why);
	}
	storm_ms = ms_since(&start);

	/* Reap the spinners, without waiting forever for a stuck one. */
	left = 0;
	for (i = 0; i < spinners; i++)
		if (pids[i] > 0)
			left++;
	waited_ms = 0;
	while (left > 0 && waited_ms < REAP_GRACE_MS) {
		struct timespec pause = { 0, 100 * 1000000L };

		for (i = 0; i < spinners; i++) {
			if (pids[i] <= 0 || reaped[i])
				continue;
			if (waitpid(pids[i], &statuses[i], WNOHANG) == pids[i]) {
				reaped[i] = 1;
				left--;
			}
		}
		if (left > 0) {
			nanosleep(&pause, NULL);
			waited_ms += 100;
		}
	}
	for (i = 0; i < spinners; i++) {
		if (pids[i] <= 0 || reaped[i])
			continue;
		tap_diag("spinner %d (pid %d) still running %ld ms after the storm; killing it",
			 i, (int)pids[i], waited_ms);
		kill(pids[i], SIGKILL);
		waitpid(pids[i], &statuses[i], 0);
	}

	/* Every spinner has exited, so the pipe is at EOF after the reports. */
	while (read(pipefd[0], &report, sizeof(report)) == sizeof(report)) {
		if (report.index < 0 || report.index >= spinners)
			continue;
		reports[report.index] = report;
		have_report[report.index] = 1;
	}
	close(pipefd[0]);

	for (i = 0; i < spinners; i++) {
		int status = statuses[i];

		if (pids[i] <= 0) {
			tap_result(0, "spinner %d: not started", i);
			continue;
		}
		if (!reaped[i]) {
			tap_result(0, "spinner %d (pid %d): did not finish in time (killed by the test)",
				   i, (int)pids[i]);
			continue;
		}
		if (WIFSIGNALED(status)) {
			tap_result(0, "spinner %d (pid %d): killed by signal %d (%s)",
				   i, (int)pids[i], WTERMSIG(status),
				   strsignal(WTERMSIG(status)));
			continue;
		}
		if (WEXITSTATUS(status) != 0) {
			tap_result(0, "spinner %d (pid %d): exited with %d",
				   i, (int)pids[i], WEXITSTATUS(status));
			continue;
		}
		if (!have_report[i]) {
			tap_result(0, "spinner %d (pid %d): exited 0 but sent no report",
				   i, (int)pids[i]);
			continue;
		}
		if (reports[i].longest_ms > longest_ms)
			longest_ms = reports[i].longest_ms;
		tap_result(reports[i].elapsed_ms >= SPIN_SECONDS * 1000L,
			   "spinner %d exited 0 after %ld ms (%lu stretches, longest %ld ms, %llu iterations)",
			   i, reports[i].elapsed_ms, reports[i].stretches,
			   reports[i].longest_ms, reports[i].iterations);
	}
	if (longest_ms < 5000)
		tap_diag("note: the longest stretch without a system call was only %ld ms, under the 5 s deadline",
			 longest_ms);

	tap_diag("storm: %lu rounds in %ld ms, %lu failed", rounds, storm_ms,
		 failed);
	tap_result(rounds > 0 && failed == 0,
		   "fork/exec storm beside %d spinner(s): %lu rounds, %lu failed",
		   spinners, rounds, failed);
	return tap_exit_status();
}
