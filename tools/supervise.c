/*
 * certenroll-supervise - keeps N FastCGI processes of one program running on
 * one unix socket, like spawn-fcgi -F N, but restarts a process that dies
 * (a crash, kill -9, or recycling after max_requests).
 *
 *   certenroll-supervise -s socket [-m mode] [-u user] [-g group]
 *                        [-n processes] [-p pidfile] [-l logfile]
 *                        -- program [args...]
 *
 * The socket is bound once and handed to every child as standard input,
 * where libfcgi expects it.  Started as root with -u, the children run as
 * user and the socket belongs to user and group (-g, the web server's:
 * mode 0660 lets only those two connect); the supervisor itself stays root
 * only to restart them.  SIGTERM (or SIGINT) is passed on to the
 * children, which finish the request in flight; then the supervisor exits.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CHILDREN 64

static volatile sig_atomic_t stopping;
static pid_t children[MAX_CHILDREN];
static int nchildren;
static const struct passwd *run_as;	/* -u: the children's user */

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

/* Binds and listens on path with mode, owned by uid:gid (-1: unchanged). */
static int
bind_socket(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "certenroll-supervise: socket path too long\n");
		return -1;
	}
	strcpy(sun.sun_path, path);
	unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chown(path, uid, gid) == -1 || chmod(path, mode) == -1 ||
	    listen(fd, 1024) == -1) {
		fprintf(stderr, "certenroll-supervise: %s: %s\n", path,
		    strerror(errno));
		return -1;
	}
	return fd;
}

/* Starts one child with the socket as fd 0 and the log as fd 2. */
static pid_t
start(int sock, int logfd, char **argv)
{
	sigset_t none;
	pid_t pid;

	if ((pid = fork()) != 0)
		return pid;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	if (dup2(sock, 0) == -1 || (logfd != -1 && dup2(logfd, 2) == -1))
		_exit(127);
	if (sock != 0)
		close(sock);
	if (run_as != NULL && (setgroups(1, &run_as->pw_gid) == -1 ||
	    setgid(run_as->pw_gid) == -1 || setuid(run_as->pw_uid) == -1)) {
		fprintf(stderr, "certenroll-supervise: becoming %s: %s\n",
		    run_as->pw_name, strerror(errno));
		_exit(127);
	}
	execv(argv[0], argv);
	fprintf(stderr, "certenroll-supervise: exec %s: %s\n", argv[0],
	    strerror(errno));
	_exit(127);
}

static int
slot_of(pid_t pid)
{
	int i;

	for (i = 0; i < nchildren; i++)
		if (children[i] == pid)
			return i;
	return -1;
}

static void
write_pidfile(const char *path)
{
	FILE *f;

	if (path == NULL || (f = fopen(path, "w")) == NULL)
		return;
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	const char *sockpath = NULL, *pidfile = NULL, *logpath = NULL;
	mode_t mode = 0660;
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;
	struct group *gr;
	int c, i, sock, logfd = -1, status, restarts = 0;
	time_t window = time(NULL);
	pid_t pid;

	nchildren = 2;
	while ((c = getopt(argc, argv, "s:m:n:p:l:u:g:")) != -1) {
		switch (c) {
		case 's': sockpath = optarg; break;
		case 'm': mode = (mode_t)strtol(optarg, NULL, 8); break;
		case 'n': nchildren = atoi(optarg); break;
		case 'p': pidfile = optarg; break;
		case 'l': logpath = optarg; break;
		case 'u':
			if ((run_as = getpwnam(optarg)) == NULL)
				goto nouser;
			uid = run_as->pw_uid;
			break;
		case 'g':
			if ((gr = getgrnam(optarg)) == NULL)
				goto nouser;
			gid = gr->gr_gid;
			break;
		default: goto usage;
		}
	}
	argv += optind;
	if (sockpath == NULL || argv[0] == NULL || nchildren < 1 ||
	    nchildren > MAX_CHILDREN)
		goto usage;
	if ((sock = bind_socket(sockpath, mode, uid, gid)) == -1)
		return 1;
	if (logpath != NULL &&
	    ((logfd = open(logpath, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW,
	    0640)) == -1 || (run_as != NULL && fchown(logfd, uid, -1) == -1))) {
		fprintf(stderr, "certenroll-supervise: %s: %s\n", logpath,
		    strerror(errno));
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	write_pidfile(pidfile);
	for (i = 0; i < nchildren; i++)
		children[i] = start(sock, logfd, argv);
	while (!stopping) {
		if ((pid = wait(&status)) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if ((i = slot_of(pid)) < 0 || stopping)
			continue;
		/* A program that cannot even start must not spin. */
		if (time(NULL) - window > 10) {
			window = time(NULL);
			restarts = 0;
		}
		if (++restarts > 100 * nchildren) {
			fprintf(stderr, "certenroll-supervise: %s keeps dying; "
			    "giving up\n", argv[0]);
			stopping = 1;
			break;
		}
		children[i] = start(sock, logfd, argv);
	}
	for (i = 0; i < nchildren; i++)
		if (children[i] > 0)
			kill(children[i], SIGTERM);
	while (wait(&status) != -1 || errno == EINTR)
		;
	close(sock);
	unlink(sockpath);
	if (pidfile != NULL)
		unlink(pidfile);
	return 0;
nouser:
	fprintf(stderr, "certenroll-supervise: no such user or group: %s\n",
	    optarg);
	return 2;
usage:
	fprintf(stderr, "usage: certenroll-supervise -s socket [-m mode] "
	    "[-u user] [-g group] [-n processes] [-p pidfile] [-l logfile] "
	    "-- program [args...]\n");
	return 2;
}
