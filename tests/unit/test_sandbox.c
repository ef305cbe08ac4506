/*
 * test_sandbox.c - sandbox_no_network(): a forked child puts itself under
 * the filter and checks what the kernel now refuses (network sockets,
 * bind, listen, exec, ptrace, namespaces, another ABI) and what still
 * works (unix sockets, accepting on a socket listened on before, files,
 * mmap, randomness, fork, threads); the parent checks how the child ended.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "error.h"
#include "sandbox.h"

/* valgrind runs some calls itself (execve: it cannot survive a failed
 * one; x32 numbers: it answers ENOSYS without asking the kernel). */
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND	0
#endif

/* Built with AddressSanitizer, the filter leaves execve and ptrace to its
 * reports (llvm-symbolizer, LeakSanitizer). */
#if defined(__SANITIZE_ADDRESS__)
#define TEST_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_ASAN	1
#endif
#endif

/* In the child: a failed check names its line and ends the child. */
#define CHECK(c) do {							\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: %s (errno %d: %s)\n", __FILE__,	\
		    __LINE__, #c, errno, strerror(errno));		\
		_exit(1);						\
	}								\
} while (0)

/* A call the filter refuses with errno e. */
#define REFUSED(call, e)	CHECK((call) == -1 && errno == (e))

static char tmpdir[] = "/tmp/test_sandbox.XXXXXX";
static int lfd = -1;		/* listened on before the filter */
static struct sockaddr_un lsun;

/* Runs fn in a child under the filter; returns its wait status.  The
 * child ends with _exit: neither cmocka's nor LeakSanitizer's exit
 * handlers run twice. */
static int
sandboxed(void (*fn)(void))
{
	struct ce_error err;
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		/* A child killed by SIGSYS leaves no core file. */
		CHECK(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0);
		ce_error_clear(&err);
		CHECK(sandbox_no_network(&err) == CE_OK);
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void
passes(void (*fn)(void))
{
	int status = sandboxed(fn);

	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void
child_network(void)
{
	int sv[2];

	REFUSED(socket(AF_INET, SOCK_STREAM, 0), EPERM);
	REFUSED(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), EPERM);
	REFUSED(socket(AF_INET6, SOCK_STREAM, 0), EPERM);
	REFUSED(socket(AF_INET6, SOCK_DGRAM, 0), EPERM);
	REFUSED(socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE), EPERM);
	REFUSED(socket(AF_PACKET, SOCK_RAW, 0), EPERM);
	REFUSED(socket(AF_VSOCK, SOCK_STREAM, 0), EPERM);
	REFUSED(socketpair(AF_INET, SOCK_STREAM, 0, sv), EPERM);
	/* The kernel reads the domain as an int: high bits hide nothing. */
	REFUSED(syscall(SYS_socket, (1L << 32) | AF_INET, SOCK_STREAM, 0),
	    EPERM);
#ifdef __NR_io_uring_setup
	REFUSED(syscall(__NR_io_uring_setup, 8, NULL), EPERM);
#endif
}

static void
test_network_refused(void **state)
{
	int fd;

	(void)state;
	passes(child_network);
	/* The filter stayed in the child. */
	assert_true((fd = socket(AF_INET, SOCK_STREAM, 0)) != -1);
	close(fd);
}

static void
child_unix(void)
{
	struct sockaddr_un sun;
	char c = 0;
	int fd, cfd, afd, sv[2];

	CHECK((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) != -1);
	CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0);
	CHECK(write(sv[0], "x", 1) == 1 && read(sv[1], &c, 1) == 1 && c == 'x');

	/* No new listening socket, not even a unix one. */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/new.sock", tmpdir);
	REFUSED(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), EPERM);
	REFUSED(listen(fd, 1), EPERM);

	/* The one listened on before serves, as the signer's does. */
	CHECK((cfd = socket(AF_UNIX, SOCK_STREAM, 0)) != -1);
	CHECK(connect(cfd, (struct sockaddr *)&lsun, sizeof(lsun)) == 0);
	CHECK((afd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) != -1);
	CHECK(write(cfd, "y", 1) == 1 && read(afd, &c, 1) == 1 && c == 'y');
	CHECK(close(afd) == 0 && close(cfd) == 0 && close(fd) == 0);
}

static void
test_unix_sockets_work(void **state)
{
	(void)state;
	memset(&lsun, 0, sizeof(lsun));
	lsun.sun_family = AF_UNIX;
	snprintf(lsun.sun_path, sizeof(lsun.sun_path), "%s/listen.sock",
	    tmpdir);
	assert_true((lfd = socket(AF_UNIX, SOCK_STREAM, 0)) != -1);
	assert_int_equal(bind(lfd, (struct sockaddr *)&lsun, sizeof(lsun)), 0);
	assert_int_equal(listen(lfd, 4), 0);
	passes(child_unix);
	close(lfd);
	unlink(lsun.sun_path);
}

static void
child_exec(void)
{
	char *argv[] = { "/bin/false", NULL };	/* if run: fails */

#ifndef TEST_ASAN
	REFUSED(execve("/bin/false", argv, environ), EPERM);
#endif
	REFUSED(syscall(SYS_execveat, AT_FDCWD, "/bin/false", argv, environ,
	    0), EPERM);
}

static void
test_exec_refused(void **state)
{
	(void)state;
	if (RUNNING_ON_VALGRIND)
		skip();
	passes(child_exec);
}

static void
child_processes(void)
{
	struct iovec local, remote;
	char buf[8] = "sandbox";

#ifndef TEST_ASAN
	REFUSED(ptrace(PTRACE_TRACEME, 0, NULL, NULL), EPERM);
#endif
	local.iov_base = buf;
	local.iov_len = sizeof(buf);
	remote.iov_base = buf;
	remote.iov_len = sizeof(buf);
	REFUSED(process_vm_readv(getppid(), &local, 1, &remote, 1, 0), EPERM);
	REFUSED(process_vm_writev(getppid(), &local, 1, &remote, 1, 0), EPERM);
}

static void
test_processes_refused(void **state)
{
	(void)state;
	passes(child_processes);
}

static void *
thread_main(void *arg)
{
	return arg;
}

static void
child_namespaces(void)
{
	struct clone_args ca;
	pthread_t t;
	void *ret = NULL;
	pid_t pid;
	int status;

	REFUSED(unshare(CLONE_NEWUSER), EPERM);
	REFUSED(unshare(CLONE_NEWNET), EPERM);
	REFUSED(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL,
	    NULL), EPERM);
	REFUSED(syscall(SYS_clone, CLONE_NEWNET | SIGCHLD, NULL, NULL, NULL,
	    NULL), EPERM);
	memset(&ca, 0, sizeof(ca));
	ca.flags = CLONE_NEWUSER;
	ca.exit_signal = SIGCHLD;
	REFUSED(syscall(SYS_clone3, &ca, sizeof(ca)), ENOSYS);

	/* Plain fork and threads still work (glibc falls back to clone). */
	CHECK((pid = fork()) != -1);
	if (pid == 0)
		_exit(7);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7);
	CHECK(pthread_create(&t, NULL, thread_main, &status) == 0);
	CHECK(pthread_join(t, &ret) == 0 && ret == &status);
}

static void
test_namespaces_refused(void **state)
{
	(void)state;
	passes(child_namespaces);
}

static void
child_files(void)
{
	char path[256], path2[256], buf[5], *map;
	unsigned char rnd[32];
	int fd;

	snprintf(path, sizeof(path), "%s/data", tmpdir);
	snprintf(path2, sizeof(path2), "%s/data2", tmpdir);
	CHECK((fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) != -1);
	CHECK(write(fd, "hello", 5) == 5);
	CHECK(fsync(fd) == 0 && fdatasync(fd) == 0);
	CHECK(pwrite(fd, "J", 1, 0) == 1);
	CHECK(pread(fd, buf, 5, 0) == 5 && memcmp(buf, "Jello", 5) == 0);
	map = mmap(NULL, 5, PROT_READ, MAP_SHARED, fd, 0);
	CHECK(map != MAP_FAILED && memcmp(map, "Jello", 5) == 0);
	CHECK(madvise(map, 5, MADV_RANDOM) == 0 && munmap(map, 5) == 0);
	CHECK(close(fd) == 0);
	CHECK(rename(path, path2) == 0 && unlink(path2) == 0);
	/* OpenSSL's randomness (getrandom) for the signatures. */
	CHECK(RAND_bytes(rnd, sizeof(rnd)) == 1);
}

static void
test_files_work(void **state)
{
	(void)state;
	passes(child_files);
}

static void
child_status(void)
{
	char buf[4096];
	ssize_t n;
	int fd;

	CHECK((fd = open("/proc/self/status", O_RDONLY)) != -1);
	CHECK((n = read(fd, buf, sizeof(buf) - 1)) > 0);
	buf[n] = '\0';
	CHECK(strstr(buf, "\nNoNewPrivs:\t1\n") != NULL);
	CHECK(strstr(buf, "\nSeccomp:\t2\n") != NULL);
	close(fd);
}

static void
test_status_shows_the_filter(void **state)
{
	(void)state;
	passes(child_status);
}

#if defined(__x86_64__)
static void
child_x32(void)
{
	syscall(__X32_SYSCALL_BIT | __NR_getpid);
	_exit(3);	/* not reached: killed */
}

static void
test_x32_killed(void **state)
{
	int status;

	(void)state;
	if (RUNNING_ON_VALGRIND)
		skip();
	status = sandboxed(child_x32);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
}
#endif

static int
setup(void **state)
{
	(void)state;
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	return rmdir(tmpdir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_network_refused),
		cmocka_unit_test(test_unix_sockets_work),
		cmocka_unit_test(test_exec_refused),
		cmocka_unit_test(test_processes_refused),
		cmocka_unit_test(test_namespaces_refused),
		cmocka_unit_test(test_files_work),
		cmocka_unit_test(test_status_shows_the_filter),
#if defined(__x86_64__)
		cmocka_unit_test(test_x32_killed),
#endif
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
