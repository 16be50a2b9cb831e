// SPDX-License-Identifier: GPL-2.0
/*
 * run_under_listener - run a command under a seccomp filter that already
 * owns a user-notification listener.
 *
 * A process can be under at most one filter with a listener, so this makes
 * the host look like a container runtime that uses seccomp notifications:
 * UML's start-up probe must then fail to create its own listener. With
 * seccomp=on UML has to stop with a message naming the missing feature;
 * with seccomp=auto it has to fall back to ptrace mode and say why.
 *
 * The filter allows every syscall, so the command otherwise runs normally.
 *
 * Usage: run_under_listener COMMAND [ARG...]
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

int main(int argc, char **argv)
{
	struct sock_filter allow_all[] = {
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = 1,
		.filter = allow_all,
	};
	long listener;

	if (argc < 2) {
		fprintf(stderr, "usage: %s COMMAND [ARG...]\n", argv[0]);
		return 2;
	}

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		perror("run_under_listener: PR_SET_NO_NEW_PRIVS");
		return 1;
	}

	listener = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			   SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (listener < 0) {
		fprintf(stderr, "run_under_listener: cannot install a listener: %s\n",
			strerror(errno));
		return 1;
	}

	/*
	 * The listener is created close-on-exec, and a filter whose listener
	 * is closed no longer counts as having one. Keep it open across exec;
	 * nobody ever receives on it, the filter never notifies.
	 */
	if (fcntl(listener, F_SETFD, 0)) {
		perror("run_under_listener: F_SETFD");
		return 1;
	}

	execvp(argv[1], argv + 1);
	fprintf(stderr, "run_under_listener: cannot run %s: %s\n", argv[1],
		strerror(errno));
	return 1;
}
