# certenroll - hand-written Makefile.  `make` builds lib, cgi programs and the
# admin tool; `make check` runs every test; `make run` starts a demo service.

PREFIX	?= /usr/local
DESTDIR	?=
CC	?= cc
PKGS	 = json-c lmdb openssl
CFLAGS	?= -O2 -g
CFLAGS	+= -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow \
	   -Wstrict-prototypes -Wmissing-prototypes -Wno-deprecated-declarations \
	   $(shell pkg-config --cflags $(PKGS)) -Ilib
LDLIBS	+= $(shell pkg-config --libs $(PKGS)) -lfcgi -lpthread

LIB	 = lib/libcertenroll.a
LIB_SRC	 = $(sort $(wildcard lib/*.c))
LIB_OBJ	 = $(LIB_SRC:.c=.o)
LIB_HDR	 = $(wildcard lib/*.h)

CGI_SRC	 = $(sort $(wildcard cgi/*.c))
CGI_BIN	 = $(patsubst cgi/%.c,cgi/%,$(CGI_SRC))

TOOL_BIN = tools/certenroll
TOOL_SRC = $(sort $(wildcard tools/certenroll*.c))

UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN = $(UNIT_SRC:.c=)

all: $(LIB) $(CGI_BIN) $(TOOL_BIN)

$(LIB): $(LIB_OBJ)
	$(AR) rcs $@ $(LIB_OBJ)

lib/%.o: lib/%.c $(LIB_HDR)
	$(CC) $(CFLAGS) -c -o $@ $<

cgi/%: cgi/%.c $(LIB)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS)

$(TOOL_BIN): $(TOOL_SRC) tools/*.h $(LIB)
	$(CC) $(CFLAGS) -Itools -o $@ $(TOOL_SRC) $(LIB) $(LDLIBS)

tests/unit/%: tests/unit/%.c $(LIB)
	$(CC) $(CFLAGS) -o $@ $< $(LIB) $(LDLIBS) -lcmocka

unit: $(UNIT_BIN)
	@tests/unit/run.sh $(UNIT_BIN)

check: all unit
	tests/run-integration.sh
	tests/demo-check.sh

run:
	tools/demo.sh

stop:
	tools/certenroll-serve stop --run demo/run

clean:
	rm -f $(LIB) $(LIB_OBJ) $(CGI_BIN) $(TOOL_BIN) $(UNIT_BIN)

.PHONY: all unit check clean run stop install
