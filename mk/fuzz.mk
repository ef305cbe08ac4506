# mk/fuzz.mk - libFuzzer harnesses for every parser of outside input
# (tests/fuzz/fuzz_<name>.c).  `make fuzz` builds them into build/fuzz/
# against the library compiled there with the same sanitizers and clang's
# coverage instrumentation; `make fuzz-run` runs each for FUZZ_SECONDS
# after replaying tests/fuzz/regressions/<name>/ (tests/fuzz/run.sh).
# Included at the end of the Makefile: uses PKGS, LDLIBS, CFLAGS, LIB_SRC
# and LIB_HDR from there.

FUZZ_CC	 = clang
FUZZ_DIR = build/fuzz
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all \
	   -fno-omit-frame-pointer
# The project's flags without its optimisation and debug choices.
FUZZ_CFLAGS = -O1 -g $(FUZZ_SAN) $(filter-out -O% -g,$(CFLAGS))
FUZZ_SECONDS ?= 30

FUZZ_NAMES = \
	b64 \
	config \
	deploy \
	enroll \
	guid \
	keyspec \
	names \
	query \
	query_id \
	record \
	renew \
	replace \
	san \
	time \
	utf8 \
	x500

FUZZ_BIN = $(patsubst %,$(FUZZ_DIR)/fuzz_%,$(FUZZ_NAMES))
FUZZ_LIB = $(FUZZ_DIR)/libcertenroll.a
FUZZ_OBJ = $(patsubst lib/%.c,$(FUZZ_DIR)/lib/%.o,$(LIB_SRC))

fuzz: $(FUZZ_BIN)

fuzz-run: fuzz
	tests/fuzz/run.sh $(FUZZ_SECONDS)

$(FUZZ_DIR)/lib/%.o: lib/%.c $(LIB_HDR)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_LIB): $(FUZZ_OBJ)
	rm -f $@
	$(AR) rcs $@ $(FUZZ_OBJ)

$(FUZZ_DIR)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) \
	    $(LDLIBS)

fuzz-clean:
	rm -rf $(FUZZ_DIR)

clean: fuzz-clean

.PHONY: fuzz fuzz-run fuzz-clean

$(FUZZ_DIR)/lib/records/db_pg_schema.o: $(PG_SQL)
