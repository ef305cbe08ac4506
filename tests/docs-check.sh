#!/bin/sh
# tests/docs-check.sh - the documentation checked against the code: prints
# one line per problem, then "docs: N passed, N failed" (one check per key,
# endpoint, citation and installed program).
#
#   keys       every key lib/core/config.c accepts (its known[] table) is an
#              ".It Cm key" of lib/certenroll.conf.5, and every key that
#              page documents is accepted
#   endpoints  every location of nginx/locations.conf.in that passes
#              requests to a program is in the README's Endpoints table, in
#              the row of that program
#   citations  text in lib/ cgi/ tools/ tests/ (comments, in practice) that
#              cites the README names a heading it has: README §N (a
#              numbered heading) or §Heading, README "Heading", README's
#              <start of a heading> table|section
#   man pages  every program `make install` installs is named (.Nm) in the
#              NAME section of a man page `make install` installs
#
# A parser that finds nothing to check fails: the checks do not pass by
# reading the wrong thing.
set -u
cd "$(dirname "$0")/.." || exit 1

ok() { printf 'ok\n'; }
fail() { printf 'fail\t%s\n' "$*"; }

check_keys() {
	keys=$(sed -n '/known\[\] = {/,/};/p' lib/core/config.c |
	    grep -o '"[a-z0-9_]*"' | tr -d '"')
	[ -n "$keys" ] || { fail "lib/core/config.c: no known[] table of keys found"; return; }
	for k in $keys; do
		if grep -Eq "^\.It Cm $k( |\$)" lib/certenroll.conf.5; then ok
		else fail "lib/certenroll.conf.5: no .It Cm $k (lib/core/config.c accepts it)"
		fi
	done
	documented=$(sed -n 's/^\.It Cm \([a-z0-9_]*\).*/\1/p' lib/certenroll.conf.5)
	for k in $documented; do
		if printf '%s\n' "$keys" | grep -qx "$k"; then ok
		else fail "lib/certenroll.conf.5: documents $k, which lib/core/config.c does not accept"
		fi
	done
}

# Location regexes become literal paths: ^ $ /? (/.*)? /.* dropped, one
# (a|b) spelled out.  Each must appear in its program's row as a path of
# its own (not as the tail of a longer one).
check_endpoints() {
	awk -v OFS='\t' '
	function clean(s) {
		gsub(/\(\/\.\*\)\?/, "", s)
		gsub(/\/\.\*/, "", s)
		gsub(/\/\?/, "", s)
		gsub(/\.\*/, "", s)
		return s
	}
	function has_path(cell, p,    i, before, after) {
		while ((i = index(cell, p)) > 0) {
			before = i > 1 ? substr(cell, i - 1, 1) : ""
			after = substr(cell, i + length(p), 1)
			if (before !~ /[a-z0-9_.\/-]/ && after !~ /[a-z0-9_-]/)
				return 1
			cell = substr(cell, i + 1)
		}
		return 0
	}
	function one(p, prog, pat,    full, r, row, found) {
		p = clean(p)
		if (p ~ /[(){}|*+?\\]/ || index(p, "[") || index(p, "]")) {
			print "fail", "nginx/locations.conf.in: cannot read " \
			    "location " pat
			return
		}
		full = p
		if (tolower(substr(p, 1, 13)) == "/keyfactorapi")
			p = substr(p, 14)
		nep++
		for (r = 1; r <= rows; r++)
			if (rprog[r] == prog ".c") {
				row = 1
				if (has_path(rpath[r], tolower(p)))
					found = 1
			}
		if (found)
			print "ok"
		else if (row)
			print "fail", "README.md: no " full " in the Endpoints " \
			    "row of " prog ".c (nginx/locations.conf.in)"
		else
			print "fail", "README.md: no Endpoints row for " prog \
			    ".c, which serves " full " (nginx/locations.conf.in)"
	}
	function endpoint(pat, prog,    p, a, alts, n, i) {
		p = pat
		sub(/^\^/, "", p)
		sub(/\$$/, "", p)
		if (match(p, /\([^()]*\|[^()]*\)/)) {
			a = substr(p, RSTART + 1, RLENGTH - 2)
			n = split(a, alts, "|")
			for (i = 1; i <= n; i++)
				one(substr(p, 1, RSTART - 1) alts[i] \
				    substr(p, RSTART + RLENGTH), prog, pat)
		} else
			one(p, prog, pat)
	}
	FNR == NR {
		if (/^## /) {
			inep = $0 == "## Endpoints"
			next
		}
		if (!inep || !/^\|/)
			next
		split($0, c, "|")
		prog = c[3]
		gsub(/[ `]/, "", prog)
		if (prog !~ /\.c$/)
			next
		rows++
		rpath[rows] = tolower(c[2])
		rprog[rows] = prog
		next
	}
	/^[ \t]*location[ \t]/ {
		pat = $NF == "{" ? $(NF - 1) : ""
		prog = ""
		next
	}
	/^[ \t]*fastcgi_pass[ \t]/ {
		prog = $0
		sub(/.*\//, "", prog)
		sub(/\.sock;.*/, "", prog)
		next
	}
	/^[ \t]*}/ {
		if (pat != "" && prog != "")
			endpoint(pat, prog)
		pat = prog = ""
	}
	END {
		if (rows == 0)
			print "fail", "README.md: no Endpoints table found"
		if (nep == 0)
			print "fail", "nginx/locations.conf.in: no location " \
			    "with fastcgi_pass found"
	}' README.md nginx/locations.conf.in
}

check_citations() {
	grep -rnI --exclude=docs-check.sh --exclude='*.log' README \
	    lib cgi tools tests | awk -v OFS='\t' -v q="'" '
	function heading(name) {
		return tolower(name) in lc
	}
	function prefix(name,    h) {
		for (h in lc)
			if (index(h, tolower(name)) == 1)
				return 1
		return 0
	}
	function cite(where, what, good) {
		if (good)
			print "ok"
		else
			print "fail", where ": cites README" \
			    (substr(what, 1, 1) == q ? "" : " ") what \
			    ", which is no heading of README.md"
	}
	FNR == NR {
		if (/^```/)
			fence = !fence
		if (fence || !/^#+ /)
			next
		h = $0
		sub(/^#+ +/, "", h)
		sub(/ +$/, "", h)
		lc[tolower(h)] = 1
		if (match(h, /^[0-9][0-9.]*/)) {
			n = substr(h, 1, RLENGTH)
			sub(/\.$/, "", n)
			num[n] = 1
		}
		next
	}
	{
		# grep -n: file:line:text
		i = index($0, ":")
		file = substr($0, 1, i - 1)
		t = substr($0, i + 1)
		i = index(t, ":")
		where = file ":" substr(t, 1, i - 1)
		t = substr(t, i + 1)
		while ((i = index(t, "README")) > 0) {
			t = substr(t, i + 6)
			r = t
			if (substr(r, 1, 2) == q "s")
				r = substr(r, 3)
			# README §6, §8
			max = 4
			while ((j = index(r, "§")) > 0 && j <= max) {
				r = substr(r, j + length("§"))
				tok = ""
				if (match(r, /^[0-9A-Za-z.]+/)) {
					tok = substr(r, 1, RLENGTH)
					r = substr(r, RLENGTH + 1)
				}
				sub(/\.$/, "", tok)
				if (tok ~ /^[0-9]/)
					good = (tok in num)
				else
					good = tok != "" && heading(tok)
				cite(where, "§" tok, good)
				max = 6
			}
			if (max == 6)
				continue
			if (match(r, /^[,:]? *"[^"]+"/)) {
				s = substr(r, 1, RLENGTH)
				sub(/^[^"]*"/, "", s)
				sub(/"$/, "", s)
				cite(where, "\"" s "\"", heading(s))
			} else if (substr(t, 1, 3) == q "s " &&
			    match(r, /^ [A-Za-z][A-Za-z -]* (table|section)/)) {
				s = substr(r, 2, RLENGTH - 1)
				what = q "s " s
				sub(/ [a-z]+$/, "", s)
				cite(where, what, prefix(s))
			}
		}
	}' README.md -
}

# What `make install` would install, read from make -n: install -m <exec
# mode> lines are programs, install lines into .../man* are man pages.
check_manpages() {
	if ! out=$(make -s -n install DESTDIR=/docs-check PREFIX=/usr/local \
	    SYSCONFDIR=/etc 2>/dev/null); then
		fail "Makefile: make -n install fails"
		return
	fi
	printf '%s\n' "$out" | awk -v OFS='\t' '
	/\\$/ {
		line = line substr($0, 1, length($0) - 1) " "
		next
	}
	{
		$0 = line $0
		line = ""
		if ($1 != "install")
			next
		mode = ""
		n = 0
		for (i = 2; i <= NF; i++) {
			if ($i == "-m") {
				mode = $(++i)
				continue
			}
			if ($i ~ /^-/) {
				if ($i == "-d")
					next
				if ($i == "-o" || $i == "-g")
					i++
				continue
			}
			arg[++n] = $i
		}
		if (n < 2)
			next
		dest = arg[n]
		for (i = 1; i < n; i++) {
			if (dest ~ /\/man[0-9]$/)
				man[arg[i]] = 1
			else if (mode ~ /[1357]$/)
				prog[arg[i]] = 1
		}
	}
	END {
		for (m in man) {
			nman++
			inname = 0
			if ((getline l < m) <= 0) {
				print "fail", "Makefile: installs " m ", which " \
				    "does not exist"
				continue
			}
			do {
				if (l ~ /^\.S[hH] /) {
					inname = l ~ /^\.S[hH] "?NAME"?$/
					continue
				}
				if (!inname)
					continue
				if (l ~ /^\.Nm /) {		# mdoc
					split(l, w, " ")
					named[w[2]] = m
				} else if (l !~ /^\./) {	# man(7)
					sub(/ *\\-.*/, "", l)
					k = split(l, w, /[ ,]+/)
					for (i = 1; i <= k; i++)
						named[w[i]] = m
				}
			} while ((getline l < m) > 0)
			close(m)
		}
		for (p in prog) {
			nprog++
			b = p
			sub(/.*\//, "", b)
			if (b in named)
				print "ok"
			else
				print "fail", "Makefile: installs " b ", which " \
				    "no installed man page names (.Nm " b ")"
		}
		if (nman == 0)
			print "fail", "Makefile: make install installs no man page"
		if (nprog == 0)
			print "fail", "Makefile: make install installs no program"
	}'
}

{
	# A check that breaks (an awk error) is a failure, not silence.
	for c in keys endpoints citations manpages; do
		check_$c || fail "docs-check.sh: the $c check did not run"
	done
} | awk -F '\t' '
$1 == "ok" { passed++; next }
$1 == "fail" { failed++; print $2; next }
{ failed++; print "docs-check: " $0 }
END {
	printf "docs: %d passed, %d failed\n", passed, failed
	exit failed > 0
}'
