/* SPDX-License-Identifier: GPL-2.0 */
/* fork + exec + wait of true_static, shared by several guest tests. */
#ifndef GUEST_EXEC_HELPERS_H
#define GUEST_EXEC_HELPERS_H

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* true_static lives next to the test binary. */
static inline void helper_path(const char *argv0, char *out, size_t size)
{
	char copy[PATH_MAX];

	snprintf(copy, sizeof(copy), "%s", argv0);
	snprintf(out, size, "%s/true_static", dirname(copy));
}

/*
 * Run PATH once. Returns 0 when it exited with status 0, else -1 with
 * a short reason in WHY.
 */
static inline int run_once(const char *path, char *why, size_t size)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0) {
		snprintf(why, size, "fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid) {
		snprintf(why, size, "waitpid: %s", strerror(errno));
		return -1;
	}
	if (WIFSIGNALED(status)) {
		snprintf(why, size, "child killed by signal %d",
			 WTERMSIG(status));
		return -1;
	}
	if (WEXITSTATUS(status) != 0) {
		snprintf(why, size, "child exited with %d%s",
			 WEXITSTATUS(status),
			 WEXITSTATUS(status) == 127 ? " (exec failed)" : "");
		return -1;
	}
	return 0;
}

#endif /* GUEST_EXEC_HELPERS_H */
