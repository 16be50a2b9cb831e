/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The physical-memory fd, inside the stub process, for the attack
 * programs; and the child/verdict plumbing those programs share.
 * x86_64 only, SECCOMP mode only.
 *
 * Every guest page is a range of UML's one physical-memory file: frame
 * number times page size is its offset. A guest process that can issue
 * mmap() on that file from the stub code page (hijack.h) with a frame
 * of its choosing reads and writes whatever it likes, unless the UML
 * kernel checks each such mmap against the guest page table. The
 * attacks need the host fd number of that file in the stub process.
 *
 * Patched kernel: the stub keeps the file open for good, at the number
 * it has in the UML kernel process. hijack_fd_get() finds it with an
 * mmap the page-table check must allow: one present page of ours, at
 * its own frame, MAP_SHARED | MAP_FIXED, with the protection the page
 * already has, tried with fd 0, 1, 2, ... until one is accepted. A
 * wrong number is refused with EPERM and changes nothing.
 *
 * Base kernel: the stub holds no fd between batches. For each batch
 * that maps from the file, the UML kernel sends it over the socket on
 * fd 0 (SCM_RIGHTS) just before waking the stub, and the stub closes it
 * after the batch. Both ends of the hand-off are reachable from guest
 * code: the futex word in the stub data page and recvmsg() on fd 0. So
 * hijack_fd_get() fakes a park and takes the fd itself:
 *
 *  1. Rewrite the signal frame the stub's handler left on its signal
 *     stack after the last real event into a page fault: CR2 is a fresh
 *     page of ours that has no PTE yet, write access.
 *  2. Set the signal word to SIGSEGV and the futex to "in kernel", and
 *     FUTEX_WAKE the UML kernel, as the stub's handler does.
 *  3. The kernel handles the fault, which creates the PTE, syncs the
 *     host mappings into a batch that maps the new page from the
 *     physical-memory file, sends the fd and sets the futex back to
 *     "in child". We wait on the futex from the stub page.
 *  4. recvmsg() on fd 0 from the stub page: the fd is ours now.
 *  5. Finish the hand-off as the stub would: run the batch (so the page
 *     the kernel believes mapped is mapped) and clear the batch length
 *     and error. If the kernel asked for a report after the batch
 *     (restart_wait, a mid-walk flush), report SIGSYS and go on.
 *
 * Afterwards the UML kernel waits for the next event, exactly as if the
 * process had returned to guest code after a real page fault; the next
 * real system call or fault of the process is that event. Its saved
 * registers for the process are those of the rewritten frame until
 * then, and they are never used. The stolen fd stays open in the stub
 * process (the stub only closes the numbers it received itself).
 *
 * Hazards of the fake park, and what is done about them:
 *  - Between steps 2 and 5 the process must not enter the UML kernel
 *    for real: no guest system call and no host fault. The code and
 *    data of those steps are touched beforehand (their own section and
 *    one static buffer), and so is enough stack.
 *  - A real signal can still arrive in that window (the UML kernel's
 *    timer sends SIGALRM to the running process; about 1 park in 500
 *    in a guest with a busy CPU). Two outcomes:
 *    - Before the kernel has written its answer into the frame: the
 *      stub's handler takes the hand-off and returns through the
 *      rewritten frame. That frame therefore points at a landing
 *      routine that exits with HIJACK_FD_LANDED; attack_run_retrying()
 *      tries again in a new process.
 *    - After: the handler reports the signal as a new event. It either
 *      runs the batch and closes the fd (consistent, but no fd for us:
 *      hijack_fd_get() parks again), or finds the batch length already
 *      cleared by the kernel's next answer and leaves the fd queued on
 *      fd 0, where the non-blocking recvmsg() here picks it up. That
 *      batch is then never run: the faulted page has a PTE but no host
 *      mapping. A read fault on a present, young PTE marks nothing for
 *      syncing, so a read of it may never be fixed up (not tried); the
 *      page is never touched.
 *
 * On the patched kernel futex and recvmsg from the stub page kill the
 * process, so the steal is only tried when no fd number was accepted.
 */
#ifndef GUEST_HIJACK_FD_H
#define GUEST_HIJACK_FD_H

#ifndef _GNU_SOURCE
#error "define _GNU_SOURCE before any include: the REG_* names need it"
#endif

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <linux/futex.h>
#include "hijack.h"
#include "stub_stats.h"

#define HIJACK_FD_MAX_NUMBER	1024	/* highest fd number probed */
#define HIJACK_FD_LANDED	75	/* exit status of a raced fake park */
#define HIJACK_FD_WAIT_MS	10000	/* how long the kernel may take */

/* ---- Frames ---------------------------------------------------------- */

/*
 * Frame number of the page at ADDR from /proc/self/pagemap (needs root
 * for the frame bits). 0, -ENOENT when the page has no present PTE, or
 * another -errno.
 */
static inline int hijack_page_frame(const void *addr, unsigned long *pfn)
{
	uint64_t entry;
	off_t where = (uintptr_t)addr / HIJACK_PAGE_SIZE * sizeof(entry);
	int fd, n;

	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		return -errno;
	n = pread(fd, &entry, sizeof(entry), where);
	close(fd);
	if (n != (int)sizeof(entry))
		return n < 0 ? -errno : -EIO;
	if (!(entry >> 63))
		return -ENOENT;
	*pfn = entry & ((1ULL << 55) - 1);
	if (!*pfn)
		return -EPERM;	/* frame bits hidden: not root */
	return 0;
}

/* mmap() from the stub page, in the only form the stub itself uses. */
static inline long hijack_mmap(const struct stub_hijack *h,
			       unsigned long addr, unsigned long length,
			       int prot, int fd, unsigned long offset)
{
	return hijack_syscall6(h, __NR_mmap, addr, length, prot,
			       MAP_SHARED | MAP_FIXED, fd, offset);
}

/* ---- The base kernel's stub data page --------------------------------- */

/*
 * struct stub_data of the base kernel (arch/um/include/shared/skas/
 * stub-data.h, x86_64): the batch, then the words the stub's signal
 * handler shares with the UML kernel, then the signal stack on the next
 * page. Only the base layout has the futex word.
 */
#define HIJACK_BATCH_MAX	99
#define HIJACK_FUTEX_IN_CHILD	0
#define HIJACK_FUTEX_IN_KERN	1
#define HIJACK_STUB_MMAP	1
#define HIJACK_STUB_MUNMAP	2
#define HIJACK_STUB_MAX_FDS	4

struct hijack_stub_syscall {
	unsigned long addr;
	unsigned long length;
	unsigned long offset;
	int fd;			/* index into the fds sent with the batch */
	int prot;
	int syscall;		/* HIJACK_STUB_MMAP or HIJACK_STUB_MUNMAP */
};

struct hijack_stub_data {
	long err;
	int syscall_data_len;
	struct hijack_stub_syscall syscall_data[HIJACK_BATCH_MAX]
		__attribute__((aligned(16)));
	short restart_wait;
	unsigned int futex;
	int signal;
	unsigned short si_offset;
	unsigned short mctx_offset;
	struct {
		int sync;
		unsigned long fs_base;
		unsigned long gs_base;
	} arch_data;
	unsigned char sigstack[HIJACK_PAGE_SIZE]
		__attribute__((aligned(HIJACK_PAGE_SIZE)));
};

_Static_assert(offsetof(struct hijack_stub_data, futex) == 3980,
	       "stub_data layout of the base kernel");
_Static_assert(offsetof(struct hijack_stub_data, sigstack) == 4096,
	       "stub_data layout of the base kernel");

/* ---- Stealing the fd (base kernel) ------------------------------------ */

#define HIJACK_STEAL_STACK	(16 * 1024)
#define HIJACK_STEAL_FDS	8
#define HIJACK_STEAL_TRIES	5	/* fake parks that yield no fd */

/*
 * Everything the fake park touches, in one static object that is
 * written before the park so that no access to it faults.
 */
struct hijack_steal {
	struct hijack_stub_syscall batch[HIJACK_BATCH_MAX];
	union {
		char buf[CMSG_SPACE(sizeof(int) * HIJACK_STUB_MAX_FDS)];
		struct cmsghdr align;
	} ctrl;
	struct msghdr msg;
	struct iovec iov;
	char byte;
	struct timespec tick;
	int fds[HIJACK_STEAL_FDS];
	int nfds;
	int rounds;		/* hand-offs handled */
	int batch_entries;	/* entries run over all rounds */
	long batch_error;	/* first failed entry's result */
	long error;		/* why the steal stopped, or 0 */
	int lost_batch;		/* an fd came with no batch left to run */
	unsigned char landing_stack[8192] __attribute__((aligned(16)));
};

static struct hijack_steal hijack_steal_state;

extern const char __start_hijack_fd_text[];
extern const char __stop_hijack_fd_text[];

/*
 * Where a stub handler that raced with the fake park returns to: leave
 * at once with a recognisable status (a guest exit_group, as a raw
 * syscall so that nothing else runs).
 */
__attribute__((naked, used, section("hijack_fd_text")))
static void hijack_fd_landing(void)
{
	__asm__ volatile("mov $231, %eax\n\t"
			 "mov $75, %edi\n\t"
			 "syscall\n\t"
			 "ud2");
}

_Static_assert(HIJACK_FD_LANDED == 75, "hijack_fd_landing's status");

/*
 * Wait until the kernel hands the process back (futex "in child").
 * Runs inside the fake park: raw syscalls from the stub page only.
 */
__attribute__((noinline, section("hijack_fd_text")))
static long hijack_steal_wait(const struct stub_hijack *h,
			      volatile struct hijack_stub_data *d,
			      struct hijack_steal *s)
{
	int ticks = 0;

	while (__atomic_load_n(&d->futex, __ATOMIC_ACQUIRE) ==
	       HIJACK_FUTEX_IN_KERN) {
		if (ticks++ * 10 > HIJACK_FD_WAIT_MS)
			return -ETIMEDOUT;
		hijack_syscall6(h, __NR_futex, (long)&d->futex, FUTEX_WAIT,
				HIJACK_FUTEX_IN_KERN, (long)&s->tick, 0, 0);
	}
	return 0;
}

/* Report an event to the kernel as the stub's handler does. */
__attribute__((noinline, section("hijack_fd_text")))
static void hijack_steal_report(const struct stub_hijack *h,
				volatile struct hijack_stub_data *d, int sig)
{
	d->signal = sig;
	__atomic_store_n(&d->futex, HIJACK_FUTEX_IN_KERN, __ATOMIC_SEQ_CST);
	hijack_syscall6(h, __NR_futex, (long)&d->futex, FUTEX_WAKE, 1,
			0, 0, 0);
}

/*
 * Receive the fds queued on fd 0 (non-blocking) into FDS, at most
 * HIJACK_STUB_MAX_FDS, and remember them. Returns how many arrived.
 */
__attribute__((noinline, section("hijack_fd_text")))
static int hijack_steal_receive(const struct stub_hijack *h,
				struct hijack_steal *s, int *fds)
{
	const struct cmsghdr *cmsg = &s->ctrl.align;
	const int *sent = (const int *)CMSG_DATA(cmsg);
	long res;
	int i, n;

	s->msg.msg_controllen = sizeof(s->ctrl.buf);
	res = hijack_syscall6(h, __NR_recvmsg, 0, (long)&s->msg, 0, 0, 0, 0);
	if (res != 1 || s->msg.msg_controllen < CMSG_LEN(sizeof(int)) ||
	    cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS)
		return 0;

	n = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
	if (n > HIJACK_STUB_MAX_FDS)
		n = HIJACK_STUB_MAX_FDS;
	for (i = 0; i < n; i++) {
		fds[i] = sent[i];
		if (s->nfds < HIJACK_STEAL_FDS)
			s->fds[s->nfds++] = sent[i];
	}
	return n;
}

/*
 * The fake park itself: report a write fault on FRESH (a page with no
 * PTE) and take the fd the kernel sends for the resulting batch. Only
 * code in this section and pre-touched data may be used in here.
 */
__attribute__((noinline, section("hijack_fd_text")))
static void hijack_steal_park(const struct stub_hijack *h,
			      struct hijack_steal *s, unsigned long fresh)
{
	volatile struct hijack_stub_data *d = (void *)h->data;
	volatile greg_t *gregs;
	long res;
	int i, n, restart, round_fds, round_fd[HIJACK_STUB_MAX_FDS];

	/* 1. The frame left by the last real event becomes a page fault. */
	gregs = (volatile greg_t *)((volatile mcontext_t *)
		&d->sigstack[d->mctx_offset])->gregs;
	gregs[REG_RIP] = (greg_t)hijack_fd_landing;
	gregs[REG_RSP] = (greg_t)(s->landing_stack +
				  sizeof(s->landing_stack) - 8);
	gregs[REG_CR2] = (greg_t)fresh;
	gregs[REG_ERR] = 6;		/* user mode, write */
	gregs[REG_TRAPNO] = 14;		/* page fault */

	/* 2. Park without being parked. */
	hijack_steal_report(h, d, SIGSEGV);

	for (;;) {
		/* 3. The kernel answers with a batch and, maybe, fds. */
		res = hijack_steal_wait(h, d, s);
		if (res) {
			s->error = res;
			return;
		}
		s->rounds++;

		n = d->syscall_data_len;
		if (n < 0 || n > HIJACK_BATCH_MAX)
			n = 0;
		restart = d->restart_wait;
		for (i = 0; i < n; i++) {
			s->batch[i].addr = d->syscall_data[i].addr;
			s->batch[i].length = d->syscall_data[i].length;
			s->batch[i].offset = d->syscall_data[i].offset;
			s->batch[i].fd = d->syscall_data[i].fd;
			s->batch[i].prot = d->syscall_data[i].prot;
			s->batch[i].syscall = d->syscall_data[i].syscall;
		}

		/*
		 * 4. Take the fds sent with it. Also when the batch looks
		 * empty: a real signal handled right after the kernel
		 * answered leaves the batch length cleared and the fd queued.
		 */
		round_fds = hijack_steal_receive(h, s, round_fd);
		if (round_fds && !n)
			s->lost_batch = 1;

		/* 5. Run the batch, so the kernel's picture stays true. */
		res = 0;
		for (i = 0; i < n; i++) {
			const struct hijack_stub_syscall *sc = &s->batch[i];

			if (sc->syscall == HIJACK_STUB_MMAP) {
				int fd = sc->fd >= 0 && sc->fd < round_fds ?
					 round_fd[sc->fd] : -1;

				res = hijack_mmap(h, sc->addr, sc->length,
						  sc->prot, fd, sc->offset);
				if (res == (long)sc->addr)
					res = 0;
				else if (res >= 0)
					res = -EFAULT;
			} else if (sc->syscall == HIJACK_STUB_MUNMAP) {
				res = hijack_syscall6(h, __NR_munmap, sc->addr,
						      sc->length, 0, 0, 0, 0);
			} else {
				res = -EOPNOTSUPP;
			}
			if (res)
				break;
			s->batch_entries++;
		}
		if (res) {
			if (!s->batch_error)
				s->batch_error = res;
			d->err = res;
			d->syscall_data_len = i;
		} else {
			d->err = 0;
			d->syscall_data_len = 0;
		}

		/*
		 * A mid-walk flush waits for SIGSYS after the batch; a
		 * return to guest code waits for nothing, which is where
		 * the real stub would be now.
		 */
		if (!restart)
			return;
		d->restart_wait = 0;
		hijack_steal_report(h, d, SIGSYS);
	}
}

/* Touch STACK bytes below the caller's frame, so the park cannot fault. */
__attribute__((noinline))
static void hijack_touch_stack(void)
{
	volatile char pad[HIJACK_STEAL_STACK];
	size_t i;

	for (i = 0; i < sizeof(pad); i += 256)
		pad[i] = 0;
}

/* Read one byte of every page of the fake park's code. */
static inline void hijack_touch_text(void)
{
	uintptr_t p = (uintptr_t)__start_hijack_fd_text & ~(HIJACK_PAGE_SIZE - 1);

	for (; p < (uintptr_t)__stop_hijack_fd_text; p += HIJACK_PAGE_SIZE)
		(void)*(volatile const char *)p;
}

/*
 * One fake park. Returns the first fd received, or -errno; a raced
 * park does not return (the process exits with HIJACK_FD_LANDED).
 */
static inline int hijack_fd_steal(const struct stub_hijack *h,
				  char *why, size_t size)
{
	volatile struct hijack_stub_data *d = (void *)h->data;
	struct hijack_steal *s = &hijack_steal_state;
	unsigned long pfn;
	char *fresh;
	int i, err;

	if (d->mctx_offset >= sizeof(d->sigstack) - sizeof(mcontext_t)) {
		snprintf(why, size, "no plausible signal frame on the stub's "
			 "stack (mctx_offset %u)", d->mctx_offset);
		return -EPROTO;
	}

	fresh = mmap(NULL, HIJACK_PAGE_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (fresh == MAP_FAILED) {
		err = -errno;
		snprintf(why, size, "mmap: %s", strerror(errno));
		return err;
	}

	memset(s, 0, sizeof(*s));
	s->iov.iov_base = &s->byte;
	s->iov.iov_len = 1;
	s->msg.msg_iov = &s->iov;
	s->msg.msg_iovlen = 1;
	s->msg.msg_control = s->ctrl.buf;
	s->tick.tv_nsec = 10 * 1000 * 1000;
	hijack_touch_text();
	hijack_touch_stack();

	hijack_steal_park(h, s, (unsigned long)fresh);

	if (s->error) {
		snprintf(why, size, "the UML kernel did not answer the fake "
			 "park: %s", strerror((int)-s->error));
		return (int)s->error;
	}
	if (!s->nfds) {
		snprintf(why, size, "fake park answered in %d round(s), "
			 "%d batch entries, but no fd was sent", s->rounds,
			 s->batch_entries);
		return -ENOENT;
	}
	/* Only the physical-memory file is ever sent; keep one copy. */
	for (i = 1; i < s->nfds; i++)
		if (s->fds[i] != s->fds[0])
			hijack_syscall6(h, __NR_close, s->fds[i], 0, 0, 0, 0, 0);

	err = hijack_page_frame(fresh, &pfn);
	snprintf(why, size, "stole fd %d by a fake page-fault park (%d "
		 "round(s), %d batch entries run%s%s; faulted page %s)",
		 s->fds[0], s->rounds, s->batch_entries,
		 s->batch_error ? ", one failed" : "",
		 s->lost_batch ? ", a batch lost to a racing signal" : "",
		 err ? "not present" : "present");
	return s->fds[0];
}

/* ---- Getting the fd on either kernel ----------------------------------- */

enum hijack_fd_origin {
	HIJACK_FD_NONE,
	HIJACK_FD_HELD,		/* the stub keeps it (patched kernel) */
	HIJACK_FD_STOLEN,	/* taken from a hand-off (base kernel) */
};

struct hijack_fd {
	int fd;
	enum hijack_fd_origin origin;
	unsigned long probe_page;	/* a page of ours, present, RW */
	unsigned long probe_pfn;	/* its frame */
	char how[240];
};

/*
 * Try fd numbers with a legitimate mmap of PROBE (present, writable,
 * dirty) at its own frame. Returns the number accepted, or -1.
 */
static inline int hijack_fd_find_held(const struct stub_hijack *h,
				      unsigned long probe, unsigned long pfn)
{
	int fd;

	for (fd = 0; fd < HIJACK_FD_MAX_NUMBER; fd++) {
		if (hijack_mmap(h, probe, HIJACK_PAGE_SIZE,
				PROT_READ | PROT_WRITE, fd,
				pfn * HIJACK_PAGE_SIZE) == (long)probe)
			return fd;
	}
	return -1;
}

/*
 * A physical-memory fd usable from the stub page, on either kernel.
 * 0, or -1 with the reason in f->how. On the patched kernel the steal
 * is never reached unless no number was accepted, and then the stub's
 * filter kills the process on the first futex.
 */
static inline int hijack_fd_get(const struct stub_hijack *h,
				struct hijack_fd *f)
{
	char *probe;
	int err, fd, tries;

	memset(f, 0, sizeof(*f));
	f->fd = -1;

	probe = mmap(NULL, HIJACK_PAGE_SIZE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (probe == MAP_FAILED) {
		snprintf(f->how, sizeof(f->how), "mmap: %s", strerror(errno));
		return -1;
	}
	memset(probe, 0x5a, HIJACK_PAGE_SIZE);
	err = hijack_page_frame(probe, &f->probe_pfn);
	if (err) {
		snprintf(f->how, sizeof(f->how), "pagemap: %s",
			 strerror(-err));
		return -1;
	}
	f->probe_page = (unsigned long)probe;

	fd = hijack_fd_find_held(h, f->probe_page, f->probe_pfn);
	if (fd >= 0) {
		f->fd = fd;
		f->origin = HIJACK_FD_HELD;
		snprintf(f->how, sizeof(f->how), "the stub holds it as fd %d "
			 "(a legitimate mmap of our own page was accepted)",
			 fd);
		return 0;
	}

	/*
	 * A real signal right after the kernel's answer can make the
	 * stub's handler take the fd first; the state stays consistent,
	 * so just park again.
	 */
	for (tries = 1; ; tries++) {
		fd = hijack_fd_steal(h, f->how, sizeof(f->how));
		if (fd >= 0)
			break;
		if (fd != -ENOENT || tries == HIJACK_STEAL_TRIES)
			return -1;
	}

	/* Same check as for a held fd: it must map our own page. */
	if (hijack_mmap(h, f->probe_page, HIJACK_PAGE_SIZE,
			PROT_READ | PROT_WRITE, fd,
			f->probe_pfn * HIJACK_PAGE_SIZE) != (long)probe) {
		snprintf(f->how + strlen(f->how),
			 sizeof(f->how) - strlen(f->how),
			 "; but it does not map our own page");
		return -1;
	}
	f->fd = fd;
	f->origin = HIJACK_FD_STOLEN;
	return 0;
}

/* ---- Running an attack in a child ---------------------------------- */

enum attack_verdict {
	ATTACK_INCONCLUSIVE,
	ATTACK_SUCCEEDED,
	ATTACK_REFUSED,
};

static const char *const attack_verdict_names[] = {
	[ATTACK_INCONCLUSIVE] = "inconclusive",
	[ATTACK_SUCCEEDED] = "succeeded",
	[ATTACK_REFUSED] = "refused",
};

/*
 * One record from the attacking child to the test. Records are shorter
 * than PIPE_BUF, so each write() arrives whole.
 */
struct attack_record {
	char kind;		/* 's': stage, 'v': verdict, 'd': data */
	char verdict;		/* enum attack_verdict, for 'v' */
	char killing_refuses;	/* for 's': death here counts as refusal */
	char text[253];
};

struct attack_outcome {
	enum attack_verdict verdict;
	int retry;		/* inconclusive, but worth another try */
	char detail[400];
	/* Stub statistics right before the last step that had to be
	 * refused (see attack_stage()), and after the child ended. */
	struct stub_stats stats_before;
	struct stub_stats stats_after;
};

/*
 * Where the attacking child leaves its snapshot of the stub statistics
 * for the test: one shared page, set up by attack_run() before the fork.
 */
static struct stub_stats *attack_stats_before;

static inline void attack_send(int fd, char kind, int verdict, int killing,
			       const char *fmt, va_list ap)
{
	struct attack_record r;
	ssize_t n;

	memset(&r, 0, sizeof(r));
	r.kind = kind;
	r.verdict = verdict;
	r.killing_refuses = killing;
	vsnprintf(r.text, sizeof(r.text), fmt, ap);
	n = write(fd, &r, sizeof(r));
	(void)n;
}

/*
 * Child: about to take a step. KILLING_REFUSES says whether dying in
 * this step is the refusal we look for (a stub filter kill), rather than
 * a failure of the test. Such a step is one the kernel must refuse, so
 * the stub statistics are snapshotted right before it: the refusal is
 * then the only thing counted between this snapshot and the test's
 * after the child ended (the fd search of attack_get_fd(), whose wrong
 * numbers are refused too, comes before the last such step).
 */
static inline void attack_stage(int fd, int killing_refuses,
				const char *fmt, ...)
{
	va_list ap;

	if (killing_refuses && attack_stats_before)
		stub_stats_read(attack_stats_before);
	va_start(ap, fmt);
	attack_send(fd, 's', 0, killing_refuses, fmt, ap);
	va_end(ap);
}

/* Child: the outcome, from what was observed. */
static inline void attack_verdict(int fd, enum attack_verdict v,
				  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	attack_send(fd, 'v', v, 0, fmt, ap);
	va_end(ap);
}

/*
 * Child: get the fd, reporting the stages. 0, or -1 after a verdict
 * (inconclusive) has been sent.
 */
static inline int attack_get_fd(int report, const struct stub_hijack *h,
				struct hijack_fd *f)
{
	attack_stage(report, 1, "getting the physical-memory fd");
	if (hijack_fd_get(h, f)) {
		attack_verdict(report, ATTACK_INCONCLUSIVE,
			       "no physical-memory fd: %s", f->how);
		return -1;
	}
	attack_stage(report, 0, "fd: %s", f->how);
	return 0;
}

/*
 * Test: run FN(ARG, report fd) in a child and turn what it reported and
 * how it ended into an outcome.
 */
static inline void attack_run(int (*fn)(void *arg, int report), void *arg,
			      struct attack_outcome *out)
{
	struct attack_record r, stage = { 0 };
	int pipefd[2], status, have_verdict = 0;
	pid_t pid;

	memset(out, 0, sizeof(*out));
	out->verdict = ATTACK_INCONCLUSIVE;
	if (!attack_stats_before) {
		attack_stats_before = mmap(NULL, sizeof(struct stub_stats),
					   PROT_READ | PROT_WRITE,
					   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (attack_stats_before == MAP_FAILED)
			attack_stats_before = NULL;
	}
	if (attack_stats_before)
		memset(attack_stats_before, 0, sizeof(*attack_stats_before));
	if (pipe(pipefd)) {
		snprintf(out->detail, sizeof(out->detail), "pipe: %s",
			 strerror(errno));
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		snprintf(out->detail, sizeof(out->detail), "fork: %s",
			 strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		return;
	}
	if (pid == 0) {
		close(pipefd[0]);
		_exit(fn(arg, pipefd[1]));
	}
	close(pipefd[1]);

	while (read(pipefd[0], &r, sizeof(r)) == (ssize_t)sizeof(r)) {
		r.text[sizeof(r.text) - 1] = 0;
		if (r.kind == 's') {
			stage = r;
			tap_diag("attacker: %s", r.text);
		} else if (r.kind == 'v' && !have_verdict) {
			have_verdict = 1;
			out->verdict = r.verdict;
			snprintf(out->detail, sizeof(out->detail), "%s",
				 r.text);
		}
	}
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) != pid) {
		snprintf(out->detail, sizeof(out->detail), "waitpid: %s",
			 strerror(errno));
		return;
	}
	if (attack_stats_before)
		out->stats_before = *attack_stats_before;
	stub_stats_read(&out->stats_after);
	if (have_verdict)
		return;

	if (WIFSIGNALED(status) && stage.killing_refuses) {
		out->verdict = ATTACK_REFUSED;
		snprintf(out->detail, sizeof(out->detail),
			 "attacker killed by signal %d while %s",
			 WTERMSIG(status), stage.text);
	} else if (WIFEXITED(status) &&
		   WEXITSTATUS(status) == HIJACK_FD_LANDED) {
		out->retry = 1;
		snprintf(out->detail, sizeof(out->detail),
			 "a real signal raced with the fake park");
	} else if (WIFSIGNALED(status)) {
		snprintf(out->detail, sizeof(out->detail),
			 "attacker died of signal %d while %s",
			 WTERMSIG(status), stage.text[0] ? stage.text :
			 "starting");
	} else {
		snprintf(out->detail, sizeof(out->detail),
			 "attacker exited with %d without a verdict, last "
			 "stage: %s", WEXITSTATUS(status),
			 stage.text[0] ? stage.text : "none");
	}
}

/* Test: run the attack, retrying a raced fake park a few times. */
static inline void attack_run_retrying(int (*fn)(void *arg, int report),
				       void *arg, struct attack_outcome *out)
{
	int attempt;

	for (attempt = 1; attempt <= 5; attempt++) {
		attack_run(fn, arg, out);
		if (!out->retry)
			return;
		tap_diag("attempt %d: %s; trying again", attempt,
			 out->detail);
	}
}

/*
 * Test: one TAP point, that the kernel counted the refusal of WHAT: one
 * of KEYS (comma-separated stub_stats keys) grew between the child's
 * snapshot before the step that had to be refused and the end of the
 * child.
 */
static inline void attack_expect_counted(const struct attack_outcome *out,
					 const char *keys, const char *what)
{
	stub_stats_expect_growth(&out->stats_before, &out->stats_after,
				 keys, what);
}

/* Test: the one machine-readable line. */
static inline void attack_print(const char *name,
				const struct attack_outcome *out)
{
	char detail[sizeof(out->detail)];
	char *p;

	snprintf(detail, sizeof(detail), "%s", out->detail);
	for (p = detail; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	printf("# attack: %s %s %s\n", name,
	       attack_verdict_names[out->verdict], detail);
	fflush(stdout);
}

#endif /* GUEST_HIJACK_FD_H */
