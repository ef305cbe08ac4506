/*
 * sandbox.c - the seccomp-BPF filter of sandbox.h, written out by hand
 * (<linux/filter.h> macros, no libseccomp).
 *
 * A denylist, not an allowlist.  The signer runs glibc, OpenSSL, json-c
 * and LMDB (and, in test builds, AddressSanitizer or valgrind), whose
 * system calls change from one version to the next (clone3, rseq,
 * getrandom, statx, faccessat2, new mmap and futex flavours...): an
 * allowlist would break the signer after an ordinary library update, on
 * the first signature.  What we take away is short and stable instead:
 * the network, other programs, other processes, namespaces and the
 * kernel's administrative and rarely used interfaces.  Nothing the
 * signer does after start-up needs them, so a denied call can only come
 * from an attacker's code; EPERM rather than a kill, so that a library
 * probing for one gets an ordinary error.  Calls of another ABI are the
 * exception: their numbers mean other calls, the filter cannot judge
 * them, the process is killed.
 */
#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "sandbox.h"

#if defined(__x86_64__)
#define SANDBOX_ARCH	AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SANDBOX_ARCH	AUDIT_ARCH_AARCH64
#endif

/* AddressSanitizer's reports need ptrace (LeakSanitizer stops the threads
 * with it to scan their stacks) and execve (clang's starts llvm-symbolizer
 * on the first report; a refusal loses the report): test builds keep both. */
#if defined(__SANITIZE_ADDRESS__)
#define SANDBOX_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANDBOX_ASAN	1
#endif
#endif

#ifndef SECCOMP_RET_KILL_PROCESS		/* Linux 4.14 */
#define SECCOMP_RET_KILL_PROCESS	SECCOMP_RET_KILL
#endif

/* The low 32 bits of argument i: socket's domain and clone's flags are
 * ints to the kernel, which ignores the high half. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ARG_LO(i)	(offsetof(struct seccomp_data, args) + 8 * (i))
#else
#define ARG_LO(i)	(offsetof(struct seccomp_data, args) + 8 * (i) + 4)
#endif

/* clone()'s namespace flags (not CLONE_NEWTIME: clone3 and unshare only,
 * its bit is the exit signal's in clone). */
#define CLONE_NEWANY	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | \
			 CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | \
			 CLONE_NEWNET)

#define LOAD(off)	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define RET(v)		BPF_STMT(BPF_RET | BPF_K, (v))
#define ERRNO(e)	(SECCOMP_RET_ERRNO | ((e) & SECCOMP_RET_DATA))
#define IF_NOT(k, n)	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), 0, (n))

/* Each block starts with the call's number in the accumulator and
 * either passes to the next block or returns. */

/* Call nr fails with errno e. */
#define DENY(nr, e)	IF_NOT((nr), 1), RET(ERRNO(e))

/* Call nr (socket, socketpair) only for the AF_UNIX domain. */
#define UNIX_ONLY(nr)							\
	IF_NOT((nr), 4),						\
	LOAD(ARG_LO(0)),						\
	IF_NOT(AF_UNIX, 1),						\
	RET(SECCOMP_RET_ALLOW),						\
	RET(ERRNO(EPERM))

/* Call nr (clone) only without namespace flags. */
#define NO_NAMESPACE(nr)						\
	IF_NOT((nr), 4),						\
	LOAD(ARG_LO(0)),						\
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_NEWANY, 0, 1),	\
	RET(ERRNO(EPERM)),						\
	RET(SECCOMP_RET_ALLOW)

#ifdef SANDBOX_ARCH
static const struct sock_filter filter[] = {
	/* Another ABI: i386 (int 0x80) or arm32 compat, then x32. */
	LOAD(offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SANDBOX_ARCH, 1, 0),
	RET(SECCOMP_RET_KILL_PROCESS),
	LOAD(offsetof(struct seccomp_data, nr)),
#if defined(__x86_64__)
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, __X32_SYSCALL_BIT, 0, 1),
	RET(SECCOMP_RET_KILL_PROCESS),
#endif

	/* The network: unix sockets only, no new listening ones. */
	UNIX_ONLY(__NR_socket),
	UNIX_ONLY(__NR_socketpair),
	DENY(__NR_bind, EPERM),
	DENY(__NR_listen, EPERM),
#ifdef __NR_io_uring_setup	/* its IORING_OP_SOCKET bypasses socket() */
	DENY(__NR_io_uring_setup, EPERM),
	DENY(__NR_io_uring_enter, EPERM),
	DENY(__NR_io_uring_register, EPERM),
#endif

	/* Other programs, other processes. */
#ifndef SANDBOX_ASAN
	DENY(__NR_execve, EPERM),
	DENY(__NR_ptrace, EPERM),
#endif
	DENY(__NR_execveat, EPERM),
	DENY(__NR_process_vm_readv, EPERM),
	DENY(__NR_process_vm_writev, EPERM),
	DENY(__NR_kcmp, EPERM),
#ifdef __NR_pidfd_getfd
	DENY(__NR_pidfd_getfd, EPERM),
#endif

	/* Namespaces.  clone3 passes its flags in memory, out of the
	 * filter's sight: ENOSYS makes glibc fall back to clone. */
	DENY(__NR_unshare, EPERM),
	DENY(__NR_setns, EPERM),
#ifdef __NR_clone3
	DENY(__NR_clone3, ENOSYS),
#endif
	NO_NAMESPACE(__NR_clone),

	/* Kernel interfaces that are attack surface more than service. */
	DENY(__NR_bpf, EPERM),
	DENY(__NR_perf_event_open, EPERM),
	DENY(__NR_userfaultfd, EPERM),
	DENY(__NR_keyctl, EPERM),
	DENY(__NR_add_key, EPERM),
	DENY(__NR_request_key, EPERM),
	DENY(__NR_open_by_handle_at, EPERM),

	/* Administering the machine (matters when run as root). */
	DENY(__NR_mount, EPERM),
	DENY(__NR_umount2, EPERM),
	DENY(__NR_pivot_root, EPERM),
	DENY(__NR_chroot, EPERM),
#ifdef __NR_fsopen
	DENY(__NR_fsopen, EPERM),
	DENY(__NR_fsconfig, EPERM),
	DENY(__NR_fsmount, EPERM),
	DENY(__NR_fspick, EPERM),
	DENY(__NR_move_mount, EPERM),
	DENY(__NR_open_tree, EPERM),
#endif
#ifdef __NR_mount_setattr
	DENY(__NR_mount_setattr, EPERM),
#endif
	DENY(__NR_swapon, EPERM),
	DENY(__NR_swapoff, EPERM),
	DENY(__NR_reboot, EPERM),
	DENY(__NR_kexec_load, EPERM),
#ifdef __NR_kexec_file_load
	DENY(__NR_kexec_file_load, EPERM),
#endif
	DENY(__NR_init_module, EPERM),
	DENY(__NR_finit_module, EPERM),
	DENY(__NR_delete_module, EPERM),
	DENY(__NR_acct, EPERM),
	DENY(__NR_quotactl, EPERM),
	DENY(__NR_settimeofday, EPERM),
	DENY(__NR_clock_settime, EPERM),
	DENY(__NR_sethostname, EPERM),
	DENY(__NR_setdomainname, EPERM),
	DENY(__NR_syslog, EPERM),	/* the kernel's log, not syslog(3) */
#if defined(__x86_64__)
	DENY(__NR_iopl, EPERM),
	DENY(__NR_ioperm, EPERM),
#endif

	RET(SECCOMP_RET_ALLOW)
};
#endif

enum ce_err
sandbox_no_network(struct ce_error *err)
{
#ifndef SANDBOX_ARCH
	return ce_fault(err, CE_SYSTEM, "seccomp: no filter for this "
	    "architecture");
#else
	struct sock_fprog prog;

	/* The kernel only reads the program. */
	prog.len = (unsigned short)(sizeof(filter) / sizeof(filter[0]));
	prog.filter = (struct sock_filter *)filter;

	/* Required without CAP_SYS_ADMIN; also: no setuid gains later. */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		return ce_fault(err, CE_SYSTEM, "prctl(PR_SET_NO_NEW_PRIVS): "
		    "%s", strerror(errno));
	/*
	 * prctl, not seccomp(2) with SECCOMP_FILTER_FLAG_TSYNC: systemd's
	 * @system-service filter (the signer's unit) kills a process that
	 * calls seccomp(2), and valgrind does not know it.  The filter
	 * covers this thread and what it starts: see sandbox.h.
	 */
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == -1)
		return ce_fault(err, CE_SYSTEM, "prctl(PR_SET_SECCOMP): %s",
		    strerror(errno));
	return CE_OK;
#endif
}
