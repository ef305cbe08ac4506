/* activation.c - a socket from systemd's LISTEN_FDS (see activation.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/stat.h>

#include "activation.h"

/* A decimal number of 1..INT_MAX, nothing else around it. */
static int
parse_count(const char *s, long *out)
{
	char *end;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtol(s, &end, 10);
	return errno != 0 || *end != '\0' || *out < 0 || *out > INT_MAX ?
	    -1 : 0;
}

static void
forget(void)
{
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
}

/* fd is a listening stream socket: what a FastCGI program accepts on. */
static enum ce_err
check_listener(int fd, struct ce_error *err)
{
	struct stat st;
	int type = 0, listening = 0;
	socklen_t n = sizeof(type);

	if (fstat(fd, &st) == -1 || !S_ISSOCK(st.st_mode))
		return ce_fail(err, CE_INVAL, "LISTEN_FDS: fd %d is not a "
		    "socket", fd);
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &n) == -1 ||
	    type != SOCK_STREAM)
		return ce_fail(err, CE_INVAL, "LISTEN_FDS: fd %d is not a "
		    "stream socket", fd);
	n = sizeof(listening);
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &n) == -1 ||
	    !listening)
		return ce_fail(err, CE_INVAL, "LISTEN_FDS: fd %d is not "
		    "listening (Accept=no is needed)", fd);
	return CE_OK;
}

enum ce_err
activation_take(int *taken, struct ce_error *err)
{
	const char *pid_s = getenv("LISTEN_PID"), *fds_s = getenv("LISTEN_FDS");
	enum ce_err rc = CE_OK;
	long pid, fds;

	*taken = 0;
	if (pid_s == NULL)
		goto out;
	if (parse_count(pid_s, &pid) != 0 || pid == 0) {
		rc = ce_fail(err, CE_INVAL, "LISTEN_PID: not a process id");
		goto out;
	}
	if (pid != (long)getpid())
		goto out;	/* another process's sockets */
	if (parse_count(fds_s, &fds) != 0) {
		rc = ce_fail(err, CE_INVAL, "LISTEN_FDS: not a count");
		goto out;
	}
	if (fds == 0)
		goto out;
	if (fds != 1) {
		rc = ce_fail(err, CE_INVAL, "LISTEN_FDS: %ld sockets handed "
		    "over; a program serves one", fds);
		goto out;
	}
	if ((rc = check_listener(ACTIVATION_FD, err)) != CE_OK)
		goto out;
	if (dup2(ACTIVATION_FD, 0) == -1) {
		rc = ce_fail(err, CE_SYSTEM, "LISTEN_FDS: dup2: %s",
		    strerror(errno));
		goto out;
	}
	/* dup2 leaves fd 0 without FD_CLOEXEC: it stays where libfcgi
	 * expects it; fd 3 is not needed twice. */
	close(ACTIVATION_FD);
	*taken = 1;
out:
	forget();
	return rc;
}
