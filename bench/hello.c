/*
 * hello - the framework ceiling: a libfcgi responder that answers every
 * request with a small JSON body and does nothing else.  Run under
 * spawn-fcgi behind the same nginx configuration as certenroll
 * (bench/run.sh).
 */
#include <fcgi_stdio.h>

int
main(void)
{
	while (FCGI_Accept() >= 0)
		printf("Status: 200 OK\r\n"
		    "Content-Type: application/json; charset=utf-8\r\n\r\n"
		    "{\"Hello\":\"world\"}\n");
	return 0;
}
