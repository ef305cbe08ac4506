# certenroll - hand-written Makefile.  `make` builds lib, cgi programs and the
# admin tool; `make check` runs every test; `make run` starts a demo service.

PREFIX	?= /usr/local
DESTDIR	?=
SYSCONFDIR ?= /etc
BINDIR	 = $(PREFIX)/sbin
LIBEXECDIR = $(PREFIX)/libexec/certenroll
LIBDIR	 = $(PREFIX)/lib
INCDIR	 = $(PREFIX)/include/certenroll
MANDIR	 = $(PREFIX)/share/man
SHAREDIR = $(PREFIX)/share/certenroll
DOCDIR	 = $(PREFIX)/share/doc/certenroll
UNITDIR	 = $(PREFIX)/lib/systemd/system
CC	?= cc
PKGS	 = json-c libpq libpsl lmdb openssl
# CPPFLAGS and LDFLAGS from the environment too (dpkg-buildflags'
# hardening in debian/rules).
CFLAGS	?= -O2 -g
CFLAGS	+= -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
	   -Wstrict-prototypes -Wmissing-prototypes -Wno-deprecated-declarations \
	   $(shell pkg-config --cflags $(PKGS)) $(LIB_INC)
LDLIBS	+= $(shell pkg-config --libs $(PKGS)) -lfcgi -lpthread

# lib/ by layer: core, records (storage and the typed records), http (the
# FastCGI runner), api (the endpoint declarations), pki, usecases,
# storefiles (certificate store formats).  Headers are found by name.
LIB	 = lib/libcertenroll.a
LIB_DIRS = $(sort $(dir $(wildcard lib/*/*.c lib/*/*.h)))
LIB_INC	 = $(patsubst %/,-I%,$(LIB_DIRS))
LIB_SRC	 = $(sort $(wildcard lib/*/*.c))
LIB_OBJ	 = $(LIB_SRC:.c=.o)
LIB_HDR	 = $(wildcard lib/*/*.h)
# Private headers (x_int.h, x_impl.h) are not installed.
LIB_PUB_HDR = $(filter-out %_int.h %_impl.h,$(LIB_HDR))

CGI_SRC	 = $(sort $(wildcard cgi/*.c))
CGI_BIN	 = $(patsubst cgi/%.c,cgi/%,$(CGI_SRC))

TOOL_BIN = tools/certenroll
TOOL_SRC = $(sort $(wildcard tools/certenroll*.c))
SIGNER_BIN = tools/certenroll-signer
SUPERVISE_BIN = tools/certenroll-supervise

UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN = $(UNIT_SRC:.c=)
UNIT_KIT = tests/unit/kit.o

all: $(LIB) $(CGI_BIN) $(TOOL_BIN) $(SIGNER_BIN) $(SUPERVISE_BIN)

$(LIB): $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $(LIB_OBJ)

lib/%.o: lib/%.c $(LIB_HDR)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# PostgreSQL's migrations are built into the library (.incbin).
PG_SQL	 = $(sort $(wildcard lib/records/pg/*.sql))
lib/records/db_pg_schema.o: $(PG_SQL)

cgi/%: cgi/%.c $(LIB)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(TOOL_BIN): $(TOOL_SRC) tools/*.h $(LIB)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -Itools -o $@ $(TOOL_SRC) $(LIB) \
	    $(LDLIBS)

$(SIGNER_BIN): tools/signer.c $(LIB)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ tools/signer.c $(LIB) \
	    $(LDLIBS)

$(SUPERVISE_BIN): tools/supervise.c
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ tools/supervise.c

# The test kit (tests/unit/kit.h) links into every unit test.
$(UNIT_KIT): tests/unit/kit.c tests/unit/kit.h $(LIB_HDR)
	$(CC) $(CFLAGS) -c -o $@ tests/unit/kit.c

tests/unit/%: tests/unit/%.c tests/unit/kit.h $(UNIT_KIT) $(LIB)
	$(CC) $(CFLAGS) -o $@ $< $(UNIT_KIT) $(LIB) $(LDLIBS) -lcmocka

unit: $(UNIT_BIN)
	@tests/unit/run.sh $(UNIT_BIN)

# The unit tests again with every db_write run twice, its first run rolled
# back (db_set_retry_drill): each write must be safe to run again, as a
# PostgreSQL serialization failure runs it.
unit-drill: $(UNIT_BIN)
	@CERTENROLL_RETRY_DRILL=1 UNIT_LABEL=unit-drill tests/unit/run.sh \
	    $(UNIT_BIN)

# The unit tests on PostgreSQL: a cluster of their own (tests/pg-cluster.sh)
# in a temporary folder, a fresh schema per test (tests/unit/kit.c).
unit-pg: $(UNIT_BIN)
	@d=$$(mktemp -d /tmp/certenroll-unit-pg.XXXXXX) && chmod 0755 "$$d" && \
	tests/pg-cluster.sh start "$$d/pg" >/dev/null && \
	CERTENROLL_TEST_DATABASE="postgresql:///certenroll?host=$$d/pg&user=certenroll" \
	    UNIT_LABEL=unit-pg tests/unit/run.sh $(UNIT_BIN); \
	rc=$$?; tests/pg-cluster.sh stop "$$d/pg"; rm -rf "$$d"; exit $$rc

check: all
	tests/check.sh

run:
	tools/demo.sh

stop:
	tools/certenroll-serve stop --run demo/run

# Programs in libexec, the admin command in sbin, the library and headers,
# man pages, web server templates, the console and examples.  The
# configuration file is installed only when there is none.
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBEXECDIR) \
	    $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCDIR) \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
	    $(DESTDIR)$(SHAREDIR)/nginx $(DESTDIR)$(SHAREDIR)/apache \
	    $(DESTDIR)$(SHAREDIR)/console \
	    $(DESTDIR)$(DOCDIR) $(DESTDIR)$(UNITDIR) \
	    $(DESTDIR)$(SYSCONFDIR)/certenroll
	install -m 0755 $(CGI_BIN) $(DESTDIR)$(LIBEXECDIR)
	install -m 0755 $(TOOL_BIN) $(SIGNER_BIN) $(SUPERVISE_BIN) $(DESTDIR)$(BINDIR)
	install -m 0755 tools/certenroll-serve $(DESTDIR)$(BINDIR)
	install -m 0644 $(LIB) $(DESTDIR)$(LIBDIR)
	install -m 0644 $(LIB_PUB_HDR) $(DESTDIR)$(INCDIR)
	install -m 0644 tools/certenroll.8 tools/certenroll-signer.8 \
	    tools/certenroll-supervise.8 tools/certenroll-serve.8 \
	    cgi/certenroll-fcgi.8 $(DESTDIR)$(MANDIR)/man8
	install -m 0644 lib/certenroll.conf.5 $(DESTDIR)$(MANDIR)/man5
	install -m 0644 nginx/* $(DESTDIR)$(SHAREDIR)/nginx
	install -m 0644 console/* $(DESTDIR)$(SHAREDIR)/console
	if [ -n "$$(ls apache 2>/dev/null)" ]; then \
	    cp -R apache/. $(DESTDIR)$(SHAREDIR)/apache; fi
	install -m 0644 README.md certenroll.conf.example $(DESTDIR)$(DOCDIR)
	install -d $(DESTDIR)$(PREFIX)/lib/tmpfiles.d
	install -m 0644 systemd/certenroll.tmpfiles \
	    $(DESTDIR)$(PREFIX)/lib/tmpfiles.d/certenroll.conf
	for u in systemd/*.service systemd/*.socket; do \
	    sed -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' -e 's|@SBINDIR@|$(BINDIR)|g' \
	        -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' $$u \
	        > $(DESTDIR)$(UNITDIR)/$$(basename $$u); done
	[ -f $(DESTDIR)$(SYSCONFDIR)/certenroll/certenroll.conf ] || \
	    install -m 0644 certenroll.conf.example \
	    $(DESTDIR)$(SYSCONFDIR)/certenroll/certenroll.conf

clean:
	rm -f $(LIB) $(LIB_OBJ) $(CGI_BIN) $(TOOL_BIN) $(SIGNER_BIN) $(SUPERVISE_BIN) \
	    $(UNIT_BIN) $(UNIT_KIT)

.PHONY: unit-pg all unit unit-drill check clean run stop install
include mk/fuzz.mk mk/sanitize.mk
