/*
 * config.h - the configuration file, certenroll.conf: "key = value" lines,
 * '#' comments.  Its path is the CERTENROLL_CONF FastCGI parameter or
 * environment variable, else /etc/certenroll/certenroll.conf; a missing
 * file is an empty configuration.  Keys:
 *   data_dir                 LMDB data directory (else CERTENROLL_DATA)
 *   staging_lifetime         seconds (overrides the LMDB setting)
 *   body_limit               bytes  (overrides the LMDB setting)
 *   require_requested_with   0|1    (overrides the LMDB setting)
 *   log                      stderr|syslog
 *   client_cert_auth         0|1 (default 1): a verified TLS client
 *                            certificate's subject DN is the user when the
 *                            web server sets no REMOTE_USER
 *   trusted_proxy_param      name of the FastCGI parameter in which the web
 *                            server passes a trusted proxy's user (it must
 *                            set it only for the proxy's address)
 *   max_requests             recycle a FastCGI process after N requests
 *   key_pool                 pre-generated keys kept by the agent, e.g.
 *                            RSA-2048:64,ECC-P-256:0 (see keypool.h)
 *   signer_socket            the signer's unix socket (see signer.h); when
 *                            unset, CA keys are used in-process
 */
#ifndef CE_CONFIG_H
#define CE_CONFIG_H

#include "error.h"

/* Loads the file once per process (path NULL = the default rules).
 * CE_INVAL naming the line for a malformed file. */
enum ce_err	config_load(const char *path, struct ce_error *err);
/* The value of key, or NULL when not configured. */
const char	*config_get(const char *key);
/* Parses one "key = value" text (also used by the fuzz harness). */
enum ce_err	config_parse(const char *text, struct ce_error *err);
void		config_reset(void);

#endif
