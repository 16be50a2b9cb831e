// SPDX-License-Identifier: GPL-2.0
/*
 * Stress: 1,500 guest processes alive at the same time. Each child
 * reports on a "ready" pipe and then blocks reading a "release" pipe.
 * In SECCOMP mode every child mm has its own stub process on the host,
 * and the monitor holds per-mm resources (file descriptors) for each,
 * so this finds limits that cap the guest's process count.
 *
 * Pass: all 1,500 children start and report ready within the deadline,
 * and after the release every one of them exits with status 0.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "tap.h"

#define CHILDREN		1500
#define READY_TIMEOUT_MS	120000

static pid_t children[CHILDREN];

static int child_main(int ready_fd, int release_fd)
{
	char byte = 'r';

	if (write(ready_fd, &byte, 1) != 1)
		_exit(2);
	/* EOF on the release pipe means: exit now. */
	while (read(release_fd, &byte, 1) > 0)
		;
	_exit(0);
}

/* Read COUNT ready bytes; returns how many arrived before the deadline. */
static int wait_ready(int fd, int count)
{
	struct timespec start, now;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char buf[256];
	int got = 0;
	ssize_t n;

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (got < count) {
		long elapsed_ms;

		clock_gettime(CLOCK_MONOTONIC, &now);
		elapsed_ms = (now.tv_sec - start.tv_sec) * 1000 +
			     (now.tv_nsec - start.tv_nsec) / 1000000;
		if (elapsed_ms >= READY_TIMEOUT_MS)
			break;
		if (poll(&pfd, 1, READY_TIMEOUT_MS - elapsed_ms) <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		got += n;
	}
	return got;
}

int main(void)
{
	int ready[2], release[2];
	int started = 0, ready_count, clean_exits = 0, i, status;
	int fork_errno = 0;

	tap_plan(3);
	if (pipe(ready) || pipe(release)) {
		tap_result(0, "pipes: %s", strerror(errno));
		return tap_exit_status();
	}

	for (i = 0; i < CHILDREN; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			fork_errno = errno;
			break;
		}
		if (pid == 0) {
			close(ready[0]);
			close(release[1]);
			child_main(ready[1], release[0]);
		}
		children[started++] = pid;
	}
	close(ready[1]);
	close(release[0]);
	if (fork_errno)
		tap_diag("fork %d failed: %s", started + 1,
			 strerror(fork_errno));
	tap_result(started == CHILDREN, "forked %d of %d children",
		   started, CHILDREN);

	ready_count = wait_ready(ready[0], started);
	tap_result(ready_count == CHILDREN && started == CHILDREN,
		   "%d of %d children alive at once", ready_count, CHILDREN);

	/* Release everyone: they read EOF and exit 0. */
	close(release[1]);
	for (i = 0; i < started; i++) {
		if (waitpid(children[i], &status, 0) != children[i])
			continue;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
			clean_exits++;
		else if (started - clean_exits < 5)
			tap_diag("child %d: status 0x%x", children[i], status);
	}
	tap_result(clean_exits == started && started == CHILDREN,
		   "%d of %d children exited with status 0", clean_exits,
		   started);
	return tap_exit_status();
}
