/*
 * certenroll-signer - the one process that opens the CA private keys.
 *
 *   certenroll-signer -d datadir -s socket [-u user] [-N]
 *
 * Loads every CA key at start, then (when started as root with -u) drops to
 * user, forbids core dumps and ptrace, gives up the network and program
 * execution (lib/sandbox.h: a seccomp filter, however it was started), and
 * serves signing requests on the unix socket (protocol in lib/signer.h) one
 * at a time.  The enrollment programs never see a CA key: a compromised one
 * can ask for signatures the policy allows, nothing more.
 *
 * A kernel that refuses the filter stops the signer; -N lets it run
 * without the filter then (with a warning), never by default.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ca.h"
#include "log.h"
#include "sandbox.h"
#include "signer.h"
#include "store.h"

static volatile sig_atomic_t stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int
listen_on(const char *path)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_error("socket path too long: %s", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chmod(path, 0660) == -1 || listen(fd, 128) == -1) {
		log_error("listen on %s: %s", path, strerror(errno));
		return -1;
	}
	return fd;
}

/* Loads every CA key now, so that nothing needs the key files later. */
static int
preload_keys(struct ce_db *db)
{
	struct ce_txn *txn = NULL;
	struct ce_error err;
	int n;

	ce_error_clear(&err);
	if (db_begin(db, 0, &txn, &err) != CE_OK ||
	    (n = ca_preload_keys(db, txn, &err)) < 0) {
		db_abort(txn);
		log_error("loading CA keys: %s", err.msg);
		return -1;
	}
	db_abort(txn);
	log_info("loaded %d CA key(s)", n);
	return n;
}

/* Drops root for user; no core dumps, no ptrace of this process. */
static int
drop(const char *user)
{
	struct rlimit nocore = { 0, 0 };
	struct passwd *pw;

	if (setrlimit(RLIMIT_CORE, &nocore) == -1 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1) {
		log_error("disabling core dumps: %s", strerror(errno));
		return -1;
	}
	if (user == NULL || getuid() != 0)
		return 0;
	if ((pw = getpwnam(user)) == NULL) {
		log_error("unknown user %s", user);
		return -1;
	}
	if (setgroups(1, &pw->pw_gid) == -1 || setgid(pw->pw_gid) == -1 ||
	    setuid(pw->pw_uid) == -1) {
		log_error("dropping to %s: %s", user, strerror(errno));
		return -1;
	}
	return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/* Gives up the network, exec, ptrace... (sandbox.h) for good.  Without
 * the filter: -1, or 0 with a warning when unfiltered (-N) allows it. */
static int
sandbox(int unfiltered)
{
	struct ce_error err;

	ce_error_clear(&err);
	if (sandbox_no_network(&err) == CE_OK) {
		log_info("sandbox on (seccomp): unix sockets only, no bind, "
		    "listen, exec, ptrace or namespaces");
		return 0;
	}
	if (unfiltered) {
		log_warn("sandbox OFF (-N): no seccomp filter, this "
		    "process can open network sockets and run programs");
		return 0;
	}
	log_error("no seccomp filter: not starting (-N runs without it)");
	return -1;
}

static void
serve_one(struct ce_db *db, int fd)
{
	struct ce_error err;
	json_object *req = NULL, *ans;

	ce_error_clear(&err);
	if (signer_recv(fd, &req, &err) != CE_OK)
		return;
	ans = signer_handle(db, req);
	if (ans != NULL)
		signer_send(fd, ans, &err);
	json_object_put(ans);
	json_object_put(req);
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	struct ce_error err;
	struct ce_db *db = NULL;
	const char *dir = getenv("CERTENROLL_DATA"), *sock = NULL, *user = NULL;
	int c, lfd, fd, unfiltered = 0;

	log_init("certenroll-signer");
	while ((c = getopt(argc, argv, "d:s:u:N")) != -1) {
		switch (c) {
		case 'd': dir = optarg; break;
		case 's': sock = optarg; break;
		case 'u': user = optarg; break;
		case 'N': unfiltered = 1; break;
		default:
			fprintf(stderr, "usage: certenroll-signer -d datadir -s "
			    "socket [-u user] [-N]\n");
			return 2;
		}
	}
	if (dir == NULL || sock == NULL) {
		fprintf(stderr, "usage: certenroll-signer -d datadir -s socket "
		    "[-u user] [-N]\n");
		return 2;
	}
	ce_error_clear(&err);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (db_open(dir, &db, &err) != CE_OK || preload_keys(db) < 0 ||
	    (lfd = listen_on(sock)) == -1)
		return 1;
	/* No socket left behind to look like a signer that started. */
	if (drop(user) != 0 || sandbox(unfiltered) != 0) {
		close(lfd);
		unlink(sock);
		return 1;
	}
	while (!stop) {
		if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1) {
			if (errno != EINTR)
				log_error("accept: %s", strerror(errno));
			continue;
		}
		serve_one(db, fd);
		close(fd);
	}
	close(lfd);
	unlink(sock);
	db_close(db);
	return 0;
}
