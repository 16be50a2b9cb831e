// SPDX-License-Identifier: GPL-2.0
/*
 * The smallest program to exec: exits 0 at once. Used by the fork/exec
 * tests as a child that creates and destroys an mm as fast as possible.
 */
int main(void)
{
	return 0;
}
