/*
 * certenroll - the admin command: initialise a data directory, create CAs,
 * templates and enrollment patterns, settings, roles and users; list
 * certificates and requests; issue the web server's own TLS certificate.
 */
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "certenroll.h"
#include "config.h"
#include "log.h"
#include "settings.h"

static const struct {
	const char	*name;
	int		(*fn)(struct cmdline *);
} commands[] = {
	{ "init",	cmd_init },
	{ "ca",		cmd_ca },
	{ "crl",	cmd_crl },
	{ "template",	cmd_template },
	{ "pattern",	cmd_pattern },
	{ "setting",	cmd_setting },
	{ "role",	cmd_role },
	{ "user",	cmd_user },
	{ "cert",	cmd_cert },
	{ "request",	cmd_request },
	{ "tls-cert",	cmd_tls_cert },
	{ "store",	cmd_store },
	{ "job",	cmd_job },
	{ "agent",	cmd_agent },
	{ "keypool",	cmd_keypool },
	{ "db",		cmd_db },
};

static void
usage(void)
{
	fputs(
"usage: certenroll [-d datadir] command ...\n"
"  init\n"
"  ca create 'host\\Logical' [--key RSA-2048|ECC-P-256|...] [--subject DN]\n"
"            [--days N] [--parent NAME]\n"
"  ca list | ca show NAME (prints the certificate PEM)\n"
"  template add NAME [--keys W,W] [--days N] [--key-usage U,U] [--eku E,E]\n"
"            [--subject-regex RE] [--require-approval] [--ca NAME]... [KEEP]\n"
"            [NAMES]\n"
"  template set NAME [--subject-regex RE] [KEEP] [NAMES]\n"
"    KEEP: --key-retention none|indefinite|after-expiration|from-issuance\n"
"            [--key-retention-days N]\n"
"  template list\n"
"  pattern add --template NAME [--name N] [--keys W,W] [--require-approval]\n"
"            [--metadata NAME:TYPE[:required][:opt|opt]]... [--field NAME[:required]]...\n"
"            [NAMES]\n"
"    NAMES: [--san-types dns,ip,email,uri,upn,othername,dirname,rid]\n"
"            [--dns-suffix S]... [--dns-regex RE] [--wildcards|--no-wildcards]\n"
"            [--ip-ranges CIDR,CIDR]\n"
"  pattern list\n"
"  ca set NAME [--crl-url URL] [--ocsp-url URL]\n"
"  ca urls --base URL [--ocsp] [--if-missing]\n"
"  crl publish [NAME]                   a new CRL into crl_dir\n"
"  setting set NAME VALUE | setting list\n"
"  role add NAME --claim CLAIM [--claim CLAIM]...\n"
"  user add NAME --role ROLE [--role ROLE]...\n"
"  cert list | cert forget-key ID | request list | job list | job cancel ID\n"
"  request approve|deny ID... [--as USER] [--comment TEXT]\n"
"  store add --type PEM|PKCS12 --path PATH [--container N] [--container-name S]\n"
"            [--machine M] [--password PW] [--create-if-missing] [--property K=V]...\n"
"  store list\n"
"  agent [--once] [--interval SECONDS]   run due management jobs\n"
"  keypool fill --spec RSA-2048 [--size N] | keypool status --spec W\n"
"  tls-cert --ca NAME --cn CN [--dns NAME]... [--ip ADDR]... --cert FILE --key FILE\n"
"The data directory is -d, else $CERTENROLL_DATA, else /var/lib/certenroll.\n",
	    stderr);
}

/* Splits argv into positional words and --options. */
static int
parse(int argc, char **argv, struct cmdline *c)
{
	int i;

	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "--", 2) == 0) {
			if (c->nopts == MAX_OPTS)
				return -1;
			c->opt[c->nopts] = argv[i] + 2;
			if (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0)
				c->val[c->nopts] = argv[++i];
			c->nopts++;
		} else {
			if (c->nargs == 16)
				return -1;
			c->args[c->nargs++] = argv[i];
		}
	}
	return 0;
}

static uid_t owner_uid;
static gid_t owner_gid;

static int
give_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)flag;
	(void)ftw;
	if (st->st_uid == 0 && lchown(path, owner_uid, owner_gid) == -1)
		fprintf(stderr, "certenroll: chown %s: %s\n", path, strerror(errno));
	return 0;
}

/*
 * Run as root on a data directory that belongs to the service user (as the
 * service's programs demand), what the command created there (LMDB files,
 * CA keys, dek.key) is given to that user, or the programs could not read
 * it.  Modes stay as they were made (0600 for keys).
 */
static void
give_to_owner(const char *datadir)
{
	struct stat st;

	if (geteuid() != 0 || lstat(datadir, &st) == -1 ||
	    !S_ISDIR(st.st_mode) || st.st_uid == 0)
		return;
	owner_uid = st.st_uid;
	owner_gid = st.st_gid;
	nftw(datadir, give_one, 16, FTW_PHYS);
}

int
main(int argc, char **argv)
{
	struct cmdline c;
	struct ce_error err;
	size_t i;
	int rc;

	memset(&c, 0, sizeof(c));
	ce_error_clear(&err);
	log_init("certenroll");
	/* The same certenroll.conf as the programs (CERTENROLL_CONF, else
	 * /etc/certenroll/certenroll.conf), before anything is logged: its
	 * "log", its key_pool, its overrides of settings. */
	config_set_check(settings_check);
	if (config_load(NULL, &err) != CE_OK) {
		fprintf(stderr, "certenroll: %s\n", err.msg);
		return 1;
	}
	argc--, argv++;
	if (argc >= 2 && strcmp(argv[0], "-d") == 0) {
		c.datadir = argv[1];
		argc -= 2, argv += 2;
	}
	if (c.datadir == NULL && (c.datadir = getenv("CERTENROLL_DATA")) == NULL)
		c.datadir = "/var/lib/certenroll";
	if (argc < 1 || parse(argc - 1, argv + 1, &c) != 0) {
		usage();
		return 2;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[0], commands[i].name) == 0) {
			rc = commands[i].fn(&c);
			give_to_owner(c.datadir);
			return rc;
		}
	fprintf(stderr, "certenroll: unknown command '%s'\n", argv[0]);
	usage();
	return 2;
}
