/*
 * certenroll.h - the admin command's shared bits: the parsed command line
 * and one function per subcommand group.
 */
#ifndef CERTENROLL_TOOL_H
#define CERTENROLL_TOOL_H

#include "error.h"
#include "db.h"

#define MAX_OPTS 64

/* "--name value" pairs and bare flags after the subcommand words. */
struct cmdline {
	const char	*datadir;
	int		 nargs;		/* positional words */
	const char	*args[16];
	int		 nopts;
	const char	*opt[MAX_OPTS];
	const char	*val[MAX_OPTS];	/* NULL for flags */
};

/* First value of --name or NULL; opt_all fills up to max values. */
const char	*opt_get(const struct cmdline *c, const char *name);
int		 opt_flag(const struct cmdline *c, const char *name);
int		 opt_all(const struct cmdline *c, const char *name,
		    const char **out, int max);
/* Fails (usage error) when an option is not in the NULL-ended list. */
int		 opt_check(const struct cmdline *c, const char *const *allowed);
/* Opens the data directory's database or exits with a message. */
struct ce_db	*tool_db(const struct cmdline *c);
/* Maps the data directory's metrics file (metrics.h), as its owner: what
 * a long-running command (the agent) counts shows in /metrics. */
void		 tool_metrics(const struct cmdline *c);
/* Prints err and returns 1. */
int		 tool_fail(const struct ce_error *err);
/* A failure: on stderr, and in syslog when that is the log (log.h). */
void		 tool_error(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2)));
/* A record module's listing (cert_dump, store_dump...). */
typedef enum ce_err (*dump_fn)(struct ce_txn *, db_visit, void *,
    struct ce_error *);
/* Prints what dump gives as "key<TAB>json" lines; the exit status. */
int		list_records(struct cmdline *c, dump_fn dump);
/* Splits "a,b,c" into a new JSON array of strings. */
json_object	*csv_array(const char *csv);

int	cmd_init(struct cmdline *c);
int	cmd_ca(struct cmdline *c);
int	cmd_crl(struct cmdline *c);
int	cmd_template(struct cmdline *c);
int	cmd_pattern(struct cmdline *c);
int	cmd_setting(struct cmdline *c);
int	cmd_role(struct cmdline *c);
int	cmd_user(struct cmdline *c);
int	cmd_cert(struct cmdline *c);
int	cmd_request(struct cmdline *c);
int	cmd_tls_cert(struct cmdline *c);
int	cmd_store(struct cmdline *c);
int	cmd_job(struct cmdline *c);
int	cmd_agent(struct cmdline *c);
int	cmd_keypool(struct cmdline *c);
int	cmd_db(struct cmdline *c);

#endif
