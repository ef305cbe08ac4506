/*
 * activation.h - the listening socket systemd hands over: sd_listen_fds(3)'s
 * protocol without libsystemd (a few lines of it; the programs need
 * nothing else of that library).
 *
 * With LISTEN_PID equal to this process's pid and LISTEN_FDS=1, fd 3 is
 * the listening socket; activation_take() moves it to standard input, where
 * libfcgi looks for it, so that a unit with StandardInput=socket (or inetd,
 * spawn-fcgi) and one with the default LISTEN_FDS start the same program
 * alike.  LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES are removed from the
 * environment in every case, as sd_listen_fds(1) does: they were meant
 * for this process, not for anything it starts.
 */
#ifndef CE_ACTIVATION_H
#define CE_ACTIVATION_H

#include "error.h"

#define ACTIVATION_FD	3	/* SD_LISTEN_FDS_START */

/*
 * Returns CE_OK with *taken 1 when a socket was handed over (now fd 0, fd
 * 3 closed), 0 when there is none for this process (no LISTEN_PID, or
 * another process's: standard input is left as it is).  CE_INVAL naming
 * the variable when they are malformed, when more than one socket is
 * handed over (a program serves one) or fd 3 is not a listening stream
 * socket; the program should not start then.
 */
enum ce_err	activation_take(int *taken, struct ce_error *err);

#endif
