/* test_activation.c - systemd's LISTEN_FDS: the socket taken when it is this
 * process's and right, refused with its reason when not, and the variables
 * gone in every case. */
#include <stdarg.h>
#include <stddef.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <cmocka.h>

#include "activation.h"
#include "kit.h"

static int saved_stdin = -1;

static int
setup(void **state)
{
	(void)state;
	/* Above fd 3, which the tests hand over. */
	saved_stdin = fcntl(0, F_DUPFD_CLOEXEC, 10);
	return saved_stdin == -1;
}

static int
teardown(void **state)
{
	(void)state;
	dup2(saved_stdin, 0);
	close(saved_stdin);
	close(ACTIVATION_FD);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return 0;
}

/* Sets the variables as systemd would for pid (0: this process). */
static void
hand_over(long pid, const char *fds)
{
	char b[32];

	snprintf(b, sizeof(b), "%ld", pid != 0 ? pid : (long)getpid());
	CHECK(setenv("LISTEN_PID", b, 1) == 0);
	CHECK(setenv("LISTEN_FDS", fds, 1) == 0);
	CHECK(setenv("LISTEN_FDNAMES", "enroll_pfx.socket", 1) == 0);
}

/* fd 3 becomes a socket of type (listening when listen_too). */
static ino_t
put_socket(int type, int listen_too)
{
	struct stat st;
	int fd;

	CHECK((fd = socket(AF_UNIX, type, 0)) != -1);
	if (listen_too) {
		struct sockaddr_un a = { .sun_family = AF_UNIX };

		/* An abstract name: nothing to remove afterwards. */
		snprintf(a.sun_path + 1, sizeof(a.sun_path) - 1,
		    "ce-unit-activation-%ld", (long)getpid());
		CHECK(bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0);
		CHECK(listen(fd, 4) == 0);
	}
	CHECK(fd == ACTIVATION_FD || dup2(fd, ACTIVATION_FD) == ACTIVATION_FD);
	if (fd != ACTIVATION_FD)
		close(fd);
	CHECK(fstat(ACTIVATION_FD, &st) == 0);
	return st.st_ino;
}

static void
check_forgotten(void)
{
	CHECK(getenv("LISTEN_PID") == NULL && getenv("LISTEN_FDS") == NULL &&
	    getenv("LISTEN_FDNAMES") == NULL);
}

/* This process's listening socket: on fd 0 now, fd 3 closed. */
static void
test_taken(void **state)
{
	struct ce_error err;
	struct stat st;
	ino_t ino;
	int taken = -1;

	(void)state;
	ino = put_socket(SOCK_STREAM, 1);
	hand_over(0, "1");
	E(activation_take(&taken, &err));
	CHECK(taken == 1);
	CHECK(fstat(0, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_ino == ino);
	CHECK(fcntl(ACTIVATION_FD, F_GETFD) == -1);
	check_forgotten();
}

/* None handed over, or handed to another process (a parent's variables
 * inherited): standard input stays as it is. */
static void
test_not_ours(void **state)
{
	static const char *const counts[] = { "1", "0" };
	struct ce_error err;
	struct stat before, after;
	size_t i;
	int taken = -1;

	(void)state;
	CHECK(fstat(0, &before) == 0);
	put_socket(SOCK_STREAM, 1);
	E(activation_take(&taken, &err));
	CHECK(taken == 0);
	for (i = 0; i < 2; i++) {
		hand_over(i == 0 ? (long)getppid() : 0, counts[i]);
		taken = -1;
		E(activation_take(&taken, &err));
		CHECK(taken == 0);
		check_forgotten();
	}
	CHECK(fstat(0, &after) == 0 && after.st_ino == before.st_ino);
	CHECK(fcntl(ACTIVATION_FD, F_GETFD) != -1);
}

/* Malformed variables and the wrong kind of fd 3 stop the program, the
 * reason named. */
static void
test_refused(void **state)
{
	static const struct {
		const char	*pid;		/* NULL: this process's */
		const char	*fds;
		int		 type;		/* fd 3: 0 a pipe */
		int		 listening;
		const char	*says;
	} cases[] = {
		{ "12x", "1", SOCK_STREAM, 1, "LISTEN_PID: not a process id" },
		{ "", "1", SOCK_STREAM, 1, "LISTEN_PID: not a process id" },
		{ "0", "1", SOCK_STREAM, 1, "LISTEN_PID: not a process id" },
		{ "-5", "1", SOCK_STREAM, 1, "LISTEN_PID: not a process id" },
		{ "99999999999999999999", "1", SOCK_STREAM, 1, "LISTEN_PID" },
		{ NULL, "", SOCK_STREAM, 1, "LISTEN_FDS: not a count" },
		{ NULL, "-1", SOCK_STREAM, 1, "LISTEN_FDS: not a count" },
		{ NULL, " 1", SOCK_STREAM, 1, "LISTEN_FDS: not a count" },
		{ NULL, "1 ", SOCK_STREAM, 1, "LISTEN_FDS: not a count" },
		{ NULL, "2", SOCK_STREAM, 1, "2 sockets handed over" },
		{ NULL, "1", 0, 0, "fd 3 is not a socket" },
		{ NULL, "1", SOCK_DGRAM, 0, "fd 3 is not a stream socket" },
		{ NULL, "1", SOCK_STREAM, 0, "fd 3 is not listening" },
	};
	struct ce_error err;
	struct stat before, after;
	size_t i;
	int taken, p[2];

	(void)state;
	CHECK(fstat(0, &before) == 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		close(ACTIVATION_FD);
		if (cases[i].type == 0) {
			CHECK(pipe(p) == 0);
			CHECK(dup2(p[0], ACTIVATION_FD) == ACTIVATION_FD);
			close(p[0]);
			close(p[1]);
		} else
			put_socket(cases[i].type, cases[i].listening);
		hand_over(0, cases[i].fds);
		if (cases[i].pid != NULL)
			CHECK(setenv("LISTEN_PID", cases[i].pid, 1) == 0);
		taken = -1;
		EFAIL(activation_take(&taken, &err), CE_INVAL, cases[i].says);
		CHECK(taken == 0);
		check_forgotten();
	}
	CHECK(fstat(0, &after) == 0 && after.st_ino == before.st_ino);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_taken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_ours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
