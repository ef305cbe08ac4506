/*
 * sandbox.h - what a process gives up once it is set up (the signer, after
 * it has loaded its keys, opened LMDB, listened on its socket and dropped
 * root).  Linux seccomp-BPF, no library: the kernel refuses the calls.
 *
 * After sandbox_no_network() the calling thread and every thread and
 * process it starts afterwards (call it before starting threads: those
 * already running keep what they had):
 *   - may create sockets of the AF_UNIX family only (socket, socketpair);
 *     any other family (AF_INET, AF_INET6, AF_NETLINK, AF_PACKET...) fails
 *     with EPERM; bind and listen fail with EPERM (sockets it already
 *     listens on keep working: accept, read, write, close);
 *   - cannot execute a program (execve, execveat), trace or read another
 *     process (ptrace, process_vm_readv/writev, pidfd_getfd, kcmp), make
 *     namespaces (unshare, setns, clone with CLONE_NEW*), use io_uring,
 *     bpf, perf_event_open, userfaultfd, the kernel keyring, or administer
 *     the machine (mount, reboot, kexec, modules, swap, the clock...):
 *     EPERM; clone3 fails with ENOSYS (libc then uses clone, whose flags the
 *     filter can see);
 *   - is killed (SIGSYS) for a system call of another ABI (i386 int 0x80,
 *     x32).
 * Everything else (file I/O, mmap, futex, signals, time, accept) works as
 * before.  Built with AddressSanitizer (a test build), execve and ptrace
 * stay allowed: its reports need them (llvm-symbolizer, LeakSanitizer).
 */
#ifndef CE_SANDBOX_H
#define CE_SANDBOX_H

#include "error.h"

/* Sets no_new_privs and installs the filter above.  Irreversible.
 * CE_SYSTEM (logged, naming the refused call) when the kernel or the
 * architecture does not support it: nothing is filtered then. */
enum ce_err	sandbox_no_network(struct ce_error *err);

#endif
