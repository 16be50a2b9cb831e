// SPDX-License-Identifier: GPL-2.0
/*
 * tiny - the program the forkexec workload execs: a static binary that
 * exits at once, so a round is fork, exec, libc start-up, exit and wait.
 */
int main(void)
{
	return 0;
}
