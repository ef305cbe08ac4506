# mk/sanitize.mk - the unit tests and the FastCGI programs under
# AddressSanitizer + UndefinedBehaviorSanitizer, and the unit tests under
# valgrind.  Each target ends with one line "<target>: N passed, N failed".
#   asan-unit      library and unit tests built into build/asan/, run
#   valgrind-unit  the normal unit test programs under valgrind
#   asan-cgi       the cgi programs built into build/asan/cgi/, then the
#                  integration suite run against them (CERTENROLL_BINDIR);
#                  a program fails when any of its processes reported
#                  (build/asan/cgi-log/)
# Included at the end of the Makefile: uses CFLAGS, LDLIBS, LIB_SRC,
# LIB_HDR, UNIT_BIN and CGI_BIN from there.

ASAN_DIR    = build/asan
# clang: its UBSan also writes to log_path (gcc's does not when combined
# with ASan), which asan-cgi relies on.
ASAN_CC     = clang
ASAN_SAN    = -fsanitize=address,undefined -fno-omit-frame-pointer
# The project's flags without its optimisation and debug choices.
ASAN_CFLAGS = -O1 -g $(ASAN_SAN) $(filter-out -O% -g,$(CFLAGS))
ASAN_LIB    = $(ASAN_DIR)/libcertenroll.a
ASAN_OBJ    = $(patsubst lib/%.c,$(ASAN_DIR)/lib/%.o,$(LIB_SRC))
ASAN_UNIT   = $(patsubst tests/unit/%,$(ASAN_DIR)/unit/%,$(UNIT_BIN))
ASAN_CGI    = $(patsubst cgi/%,$(ASAN_DIR)/cgi/%,$(CGI_BIN))
ASAN_LOGDIR = $(CURDIR)/$(ASAN_DIR)/cgi-log
# halt_on_error: undefined behaviour fails the program like a memory error.
SAN_ENV	    = ASAN_OPTIONS=detect_leaks=1 \
	      UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
VALGRIND    = valgrind -q --leak-check=full --error-exitcode=1 \
	      --errors-for-leak-kinds=definite,indirect \
	      --show-leak-kinds=definite,indirect
VG_DIR	    = build/valgrind

# $(call san_run,label,command prefix,log dir,programs): runs each program,
# keeps its output in the log dir, shows it when the program fails.
define san_run
	@mkdir -p $(3); pass=0; fail=0; \
	for t in $(4); do \
		log=$(3)/$$(basename $$t).log; \
		if $(2) $$t >$$log 2>&1; then pass=$$((pass + 1)); \
		else fail=$$((fail + 1)); echo "FAILED: $$t"; cat $$log; fi; \
	done; \
	echo "$(1): $$pass passed, $$fail failed"; [ $$fail -eq 0 ]
endef

$(ASAN_DIR)/lib/%.o: lib/%.c $(LIB_HDR)
	@mkdir -p $(@D)
	$(ASAN_CC) $(ASAN_CFLAGS) -c -o $@ $<

$(ASAN_LIB): $(ASAN_OBJ)
	rm -f $@
	$(AR) rcs $@ $(ASAN_OBJ)

# Test tables concatenate literals on purpose ("\xef\xbc\x92" "026-..."),
# which clang (not gcc, the normal build) warns about.
$(ASAN_DIR)/unit/kit.o: tests/unit/kit.c tests/unit/kit.h $(LIB_HDR)
	@mkdir -p $(@D)
	$(ASAN_CC) $(ASAN_CFLAGS) -c -o $@ tests/unit/kit.c

$(ASAN_DIR)/unit/%: tests/unit/%.c tests/unit/kit.h $(ASAN_DIR)/unit/kit.o \
    $(ASAN_LIB)
	@mkdir -p $(@D)
	$(ASAN_CC) $(ASAN_CFLAGS) -Wno-string-concatenation -o $@ $< \
	    $(ASAN_DIR)/unit/kit.o $(ASAN_LIB) $(LDLIBS) -lcmocka

# The cgi programs carry their sanitizer options: Apache (mod_fcgid, plain
# CGI) starts them with its own environment, as www-data.  Reports go to
# ASAN_LOGDIR as {asan,ubsan}.<program>.<pid>, whoever started them.
$(ASAN_DIR)/cgi-options.c:
	@mkdir -p $(@D)
	printf '%s\n' \
	    'const char *__asan_default_options(void);' \
	    'const char *__ubsan_default_options(void);' \
	    'const char *__asan_default_options(void) { return "detect_leaks=1:log_exe_name=1:log_path=$(ASAN_LOGDIR)/asan"; }' \
	    'const char *__ubsan_default_options(void) { return "halt_on_error=1:print_stacktrace=1:log_exe_name=1:log_path=$(ASAN_LOGDIR)/ubsan"; }' \
	    > $@

$(ASAN_DIR)/cgi/%: cgi/%.c $(ASAN_LIB) $(ASAN_DIR)/cgi-options.c
	@mkdir -p $(@D)
	$(ASAN_CC) $(ASAN_CFLAGS) -o $@ $< $(ASAN_DIR)/cgi-options.c \
	    $(ASAN_LIB) $(LDLIBS)

asan-unit: $(ASAN_UNIT)
	$(call san_run,asan-unit,env $(SAN_ENV),$(ASAN_DIR)/unit-log,$(ASAN_UNIT))

valgrind-unit: $(UNIT_BIN)
	$(call san_run,valgrind-unit,$(VALGRIND),$(VG_DIR),$(UNIT_BIN))

# The integration suite drives the programs through nginx and Apache (the
# admin tool and the signer stay the normal build).  Leak reports come when
# a program exits after the suite stops the service: wait for them to go.
asan-cgi: all $(ASAN_CGI)
	@rm -rf $(ASAN_LOGDIR); mkdir -p $(ASAN_LOGDIR); chmod 1777 $(ASAN_LOGDIR); \
	CERTENROLL_BINDIR=$(CURDIR)/$(ASAN_DIR)/cgi tests/run-integration.sh; \
	it=$$?; \
	i=0; while [ $$i -lt 30 ] && \
	    pgrep -f "^$(CURDIR)/$(ASAN_DIR)/cgi/" >/dev/null; do \
		sleep 1; i=$$((i + 1)); done; \
	pass=0; fail=0; \
	for t in $(ASAN_CGI); do \
		n=$$(basename $$t); \
		if ls $(ASAN_LOGDIR)/*san.$$n.* >/dev/null 2>&1; then \
			fail=$$((fail + 1)); echo "FAILED: $$n"; \
			cat $(ASAN_LOGDIR)/*san.$$n.*; \
		else pass=$$((pass + 1)); fi; \
	done; \
	[ $$it -eq 0 ] || echo "asan-cgi: the integration suite failed"; \
	echo "asan-cgi: $$pass passed, $$fail failed"; \
	[ $$fail -eq 0 ] && [ $$it -eq 0 ]

asan-clean:
	rm -rf $(ASAN_DIR) $(VG_DIR)

clean: asan-clean

.PHONY: asan-unit valgrind-unit asan-cgi asan-clean

$(ASAN_DIR)/lib/records/db_pg_schema.o: $(PG_SQL)
