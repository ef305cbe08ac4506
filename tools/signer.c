/*
 * certenroll-signer - the one process that opens the CA private keys.
 *
 *   certenroll-signer -d datadir -s socket [-u user] [-a user]... [-N]
 *
 * Loads every CA key at start, then (when started as root with -u) drops to
 * user, forbids core dumps and ptrace, gives up the network and program
 * execution (lib/core/sandbox.h: a seccomp filter, however it was started), and
 * serves signing requests on the unix socket (protocol in lib/pki/signer.h).
 * A peer is served only when its SO_PEERCRED uid or gid is the signer's own,
 * its uid is root's or one of the -a users; each is served on a thread of its own
 * (at most MAX_CONNS at once) within a deadline for a whole message, so no
 * client delays another.  The enrollment programs never see a CA key: a
 * compromised one can ask for signatures the policy allows, nothing more.
 *
 * A kernel that refuses the filter stops the signer; -N lets it run
 * without the filter then (with a warning), never by default.
 */
#include <errno.h>
#include <grp.h>
#include <pthread.h>
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
#include <time.h>
#include <unistd.h>

#include "ca.h"
#include "config.h"
#include "log.h"
#include "sandbox.h"
#include "settings.h"
#include "signer.h"
#include "signer_server.h"
#include "db.h"

#define MAX_CONNS	64	/* connections served at once */
#define MAX_ALLOW	16	/* -a users */

static volatile sig_atomic_t stop;

/* Who may connect: our own uid and gid (after the drop), the -a uids. */
static uid_t allowed[MAX_ALLOW];
static int nallowed;

/* Connections being served, under conn_lock. */
static pthread_mutex_t conn_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t conn_done = PTHREAD_COND_INITIALIZER;
static int nconns;

struct conn {
	struct ce_db	*db;
	int		 fd;
};

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* The socket, 0660 and, when root starts the signer for user, that user's
 * (and group's) before it listens: no one else's connection is accepted
 * in between, and no one else need change it after. */
static int
listen_on(const char *path, const struct passwd *pw)
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
	    (pw != NULL && chown(path, pw->pw_uid, pw->pw_gid) == -1) ||
	    chmod(path, 0660) == -1 || listen(fd, 128) == -1) {
		log_error("listen on %s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
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

/* Drops root for pw (NULL: stays); no core dumps, no ptrace of this
 * process. */
static int
drop(const struct passwd *pw)
{
	struct rlimit nocore = { 0, 0 };

	if (setrlimit(RLIMIT_CORE, &nocore) == -1 ||
	    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1) {
		log_error("disabling core dumps: %s", strerror(errno));
		return -1;
	}
	if (pw == NULL)
		return 0;
	if (setgroups(1, &pw->pw_gid) == -1 || setgid(pw->pw_gid) == -1 ||
	    setuid(pw->pw_uid) == -1) {
		log_error("dropping to %s: %s", pw->pw_name, strerror(errno));
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
	if (signer_recv(fd, &req, SIGNER_SERVER_MS, &err) != CE_OK) {
		/* Why (timed out, malformed) is logged where it happened. */
		log_warn("refused: connection: no well-formed request within "
		    "%d ms", SIGNER_SERVER_MS);
		return;
	}
	ans = signer_handle(db, req);
	if (ans != NULL)
		signer_send(fd, ans, SIGNER_SERVER_MS, &err);
	json_object_put(ans);
	json_object_put(req);
}

/* One connection's thread: serve, close, give the slot back. */
static void *
conn_main(void *arg)
{
	struct conn *c = arg;

	serve_one(c->db, c->fd);
	close(c->fd);
	free(c);
	pthread_mutex_lock(&conn_lock);
	nconns--;
	pthread_cond_broadcast(&conn_done);
	pthread_mutex_unlock(&conn_lock);
	return NULL;
}

/* Resolves a -a user to its uid. */
static int
allow_user(const char *user)
{
	struct passwd *pw;

	if (nallowed == MAX_ALLOW) {
		log_error("at most %d -a users", MAX_ALLOW);
		return -1;
	}
	if ((pw = getpwnam(user)) == NULL) {
		log_error("unknown user %s", user);
		return -1;
	}
	allowed[nallowed++] = pw->pw_uid;
	return 0;
}

/* Whether the peer of fd is ours (SO_PEERCRED); logs each refusal. */
static int
peer_allowed(int fd)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);
	int i;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) == -1) {
		log_warn("refused: peer: SO_PEERCRED: %s", strerror(errno));
		return 0;
	}
	/* Root reads the key files anyway: it is no boundary to keep. */
	if (uc.uid == 0 || uc.uid == getuid() || uc.gid == getgid())
		return 1;
	for (i = 0; i < nallowed; i++)
		if (uc.uid == allowed[i])
			return 1;
	log_warn("refused: peer uid=%u gid=%u pid=%d: not an allowed user",
	    (unsigned)uc.uid, (unsigned)uc.gid, (int)uc.pid);
	return 0;
}

/* Serves fd on a thread of its own (signals stay with the main thread);
 * the caller has counted it in nconns. */
static void
spawn(struct ce_db *db, int fd)
{
	pthread_attr_t attr;
	pthread_t t;
	sigset_t all, old;
	struct conn *c;
	int rc = -1;

	if ((c = malloc(sizeof(*c))) != NULL) {
		c->db = db;
		c->fd = fd;
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		if (pthread_attr_init(&attr) == 0) {
			pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
			rc = pthread_create(&t, &attr, conn_main, c);
			pthread_attr_destroy(&attr);
		}
		pthread_sigmask(SIG_SETMASK, &old, NULL);
	}
	if (rc == 0)
		return;
	log_error("serving a connection: %s", rc > 0 ? strerror(rc) :
	    "out of memory");
	free(c);
	close(fd);
	pthread_mutex_lock(&conn_lock);
	nconns--;
	pthread_mutex_unlock(&conn_lock);
}

/* Accepts until stopped, one thread per allowed peer, at most MAX_CONNS. */
static void
serve(struct ce_db *db, int lfd)
{
	int fd;

	while (!stop) {
		pthread_mutex_lock(&conn_lock);
		while (nconns >= MAX_CONNS && !stop)
			pthread_cond_wait(&conn_done, &conn_lock);
		pthread_mutex_unlock(&conn_lock);
		if (stop)
			break;
		if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) == -1) {
			if (errno != EINTR)
				log_error("accept: %s", strerror(errno));
			continue;
		}
		if (!peer_allowed(fd)) {
			close(fd);
			continue;
		}
		pthread_mutex_lock(&conn_lock);
		nconns++;
		pthread_mutex_unlock(&conn_lock);
		spawn(db, fd);
	}
}

/* Waits (a little longer than a message's deadline) for the connections
 * being served; 0 when none is left. */
static int
drain(void)
{
	struct timespec until;
	int left;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += SIGNER_SERVER_MS / 1000 * 2 + 1;
	pthread_mutex_lock(&conn_lock);
	while (nconns > 0 &&
	    pthread_cond_timedwait(&conn_done, &conn_lock, &until) == 0)
		;
	left = nconns;
	pthread_mutex_unlock(&conn_lock);
	return left;
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	struct ce_error err;
	struct ce_db *db = NULL;
	struct passwd runas, *pw = NULL;
	struct stat st;
	enum ce_err rc;
	int owned;
	const char *dir = getenv("CERTENROLL_DATA"), *sock = NULL, *user = NULL;
	int c, lfd, unfiltered = 0;

	log_init("certenroll-signer");
	/* certenroll.conf (CERTENROLL_CONF, as the programs read it) before
	 * any line is logged, so that every line goes where its "log" says;
	 * also where the keys are, when not in the data directory. */
	ce_error_clear(&err);
	config_set_check(settings_check);
	rc = config_load(NULL, &err);
	while ((c = getopt(argc, argv, "a:d:s:u:N")) != -1) {
		switch (c) {
		case 'a':
			if (allow_user(optarg) != 0)
				return 2;
			break;
		case 'd': dir = optarg; break;
		case 's': sock = optarg; break;
		case 'u': user = optarg; break;
		case 'N': unfiltered = 1; break;
		default:
			fprintf(stderr, "usage: certenroll-signer -d datadir -s "
			    "socket [-u user] [-a user]... [-N]\n");
			return 2;
		}
	}
	if (dir == NULL || sock == NULL) {
		fprintf(stderr, "usage: certenroll-signer -d datadir -s socket "
		    "[-u user] [-a user]... [-N]\n");
		return 2;
	}
	if (rc != CE_OK) {
		log_error("not starting: %s", err.msg);
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* -u: only when root starts it. */
	if (user != NULL && getuid() == 0) {
		struct passwd *p = getpwnam(user);

		if (p == NULL) {
			log_error("unknown user %s", user);
			return 1;
		}
		/* getpwnam's answer is overwritten by the next lookup. */
		runas = *p;
		runas.pw_name = (char *)user;
		pw = &runas;
	}
	/* Root opens the LMDB files with the rights of the data directory's
	 * owner: a symlink the owner swapped in there cannot aim root's writes
	 * at a file of root's. */
	owned = dir != NULL && geteuid() == 0 && stat(dir, &st) == 0 &&
	    st.st_uid != 0;
	if (owned && (setegid(st.st_gid) == -1 || seteuid(st.st_uid) == -1)) {
		log_error("acting as the owner of %s: %s", dir, strerror(errno));
		return 1;
	}
	if ((rc = db_open_url(dir, config_get("database"), &db, &err)) ==
	    CE_OK)
		rc = db_set_key_dir(db, config_get("key_dir"), &err);
	if (owned && (seteuid(0) == -1 || setegid(0) == -1)) {
		log_error("becoming root again: %s", strerror(errno));
		return 1;
	}
	if (rc != CE_OK) {
		log_error("opening %s: %s", dir, err.msg);
		return 1;
	}
	if (preload_keys(db) < 0 || (lfd = listen_on(sock, pw)) == -1)
		return 1;
	/* No socket left behind to look like a signer that started. */
	if (drop(pw) != 0 || sandbox(unfiltered) != 0) {
		close(lfd);
		unlink(sock);
		return 1;
	}
	serve(db, lfd);
	close(lfd);
	unlink(sock);
	/* A thread still in LMDB keeps the environment: exit without closing. */
	if (drain() == 0)
		db_close(db);
	return 0;
}
