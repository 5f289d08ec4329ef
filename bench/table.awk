# bench/table.awk — turns bench/table.sh's results.tsv (round, server, case,
# value, unit, p50 us, p99 us, server CPU us per call, nfsload CPU us per
# call; tab-separated) into the markdown table: median (min-max) over the
# rounds per server, each server's ratio to the LAST server, latencies, CPU
# per call of the server and of the load generator, the issue-8 target of
# the case and whether the first server meets it. Derived rows: sequential
# I/O as % of the loopback TCP bandwidth (the write also as % of a local dd
# into the backing folder), CPU per GETATTR, RSS growth.
# Run as: awk -F'\t' -v rounds=N -f table.awk results.tsv

function sortn(a, n,   i, j, t) {
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
}
# med(KEY): median of the values stored under KEY (vals[KEY, 1..cnt[KEY]])
function med(key, what,   a, n, i) {
	n = cnt[what, key]
	if (!n)
		return ""
	for (i = 1; i <= n; i++)
		a[i] = vals[what, key, i]
	sortn(a, n)
	lo[what, key] = a[1]
	hi[what, key] = a[n]
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function fmt(v) {
	if (v == "")
		return "-"
	return v >= 100 ? sprintf("%.0f", v) : sprintf("%.3g", v)
}
function target(c) {
	if (c ~ /^(NULL|GETATTR|LOOKUP) c[0-9]/) return 2
	if (c ~ /^meta/) return 2
	if (c ~ /randread/) return 1.5
	if (c ~ /seq(read|write) c/) return 1.2
	if (c ~ /READDIRPLUS/) return 3
	return ""
}
function add(what, s, c, v) {
	if (v == "")
		return
	vals[what, s SUBSEP c, ++cnt[what, s SUBSEP c]] = v
}

{
	r = $1; s = $2; c = $3
	if (!(s in seen_s)) { seen_s[s] = 1; srv[++ns] = s }
	if (c == "load average") { add("load", s, "x", $4); next }
	if (!(c in seen_c)) { seen_c[c] = 1; cs[++nc] = c; unit[c] = $5 }
	add("v", s, c, $4); add("p50", s, c, $6); add("p99", s, c, $7)
	if ($8 != "") add("cpu", s, c, $8)
	if ($9 != "") add("ccpu", s, c, $9)
}

END {
	base = srv[ns]
	printf "| case (median (min-max) of %d rounds) | unit |", rounds
	for (j = 1; j <= ns; j++) printf " %s |", srv[j]
	for (j = 1; j < ns; j++) printf " %s/%s |", srv[j], base
	for (j = 1; j <= ns; j++) printf " %s p50/p99 us |", srv[j]
	for (j = 1; j <= ns; j++) printf " %s CPU us/call |", srv[j]
	for (j = 1; j <= ns; j++) printf " nfsload CPU us/call (%s) |", srv[j]
	printf " target | met |\n|---|---|"
	for (j = 1; j < 5 * ns; j++) printf "---|"
	printf "---|---|\n"
	for (i = 1; i <= nc; i++) {
		c = cs[i]
		printf "| %s | %s |", c, unit[c]
		for (j = 1; j <= ns; j++) {
			k = srv[j] SUBSEP c
			m[j] = med(k, "v")
			if (cnt["v", k] > 1)
				printf " %s (%s-%s) |", fmt(m[j]), fmt(lo["v", k]), fmt(hi["v", k])
			else
				printf " %s |", fmt(m[j])
		}
		for (j = 1; j < ns; j++) # the wire is no server's figure
			printf " %s |", ((m[ns] > 0 && m[j] != "" && c !~ /^(loopback|backing)/) ? sprintf("%.2fx", m[j] / m[ns]) : "-")
		for (j = 1; j <= ns; j++) {
			k = srv[j] SUBSEP c
			p5 = med(k, "p50")
			printf " %s |", p5 == "" ? "-" : fmt(p5) "/" fmt(med(k, "p99"))
		}
		for (j = 1; j <= ns; j++) {
			k = srv[j] SUBSEP c
			cpu[j, c] = med(k, "cpu")
			printf " %s |", fmt(cpu[j, c])
		}
		for (j = 1; j <= ns; j++)
			printf " %s |", fmt(med(srv[j] SUBSEP c, "ccpu"))
		t = target(c)
		if (t != "" && m[ns] > 0)
			printf " >= %sx | %s |\n", t, (m[1] / m[ns] >= t ? "yes" : "no")
		else
			printf " | |\n"
		for (j = 1; j <= ns; j++)
			med_of[j, c] = m[j]
	}
	# derived rows
	for (i = 1; i <= nc; i++) {
		c = cs[i]
		if (c !~ /^1M seq/)
			continue
		tcpc = ""
		for (x = 1; x <= nc; x++)
			if (cs[x] ~ /^loopback TCP/) tcpc = cs[x]
		if (tcpc == "")
			continue
		if (c ~ /seqwrite/)
			for (x = 1; x <= nc; x++)
				if (cs[x] == "backing folder write") {
					printf "| %s, %% of backing folder write (dd) | %% |", c
					for (j = 1; j <= ns; j++)
						printf " %s |", (med_of[j, cs[x]] > 0 ? sprintf("%.0f%%", 100 * med_of[j, c] / med_of[j, cs[x]]) : "-")
					for (j = 1; j < ns; j++) printf " |"
					for (j = 1; j <= 3 * ns; j++) printf " |"
					printf " | |\n"
				}
		printf "| %s, %% of loopback TCP | %% |", c
		for (j = 1; j <= ns; j++)
			printf " %s |", (med_of[j, tcpc] > 0 ? sprintf("%.0f%%", 100 * med_of[j, c] / med_of[j, tcpc]) : "-")
		for (j = 1; j < ns; j++) printf " |"
		for (j = 1; j <= 3 * ns; j++) printf " |"
		printf " >= 70%% | %s |\n", (med_of[1, tcpc] > 0 && med_of[1, c] / med_of[1, tcpc] >= 0.7) ? "yes" : "no"
	}
	for (i = 1; i <= nc; i++) {
		c = cs[i]
		if (c !~ /^GETATTR c/)
			continue
		printf "| server CPU per call, %s | us |", c
		for (j = 1; j <= ns; j++) printf " %s |", fmt(cpu[j, c])
		for (j = 1; j < ns; j++)
			printf " %s |", (cpu[ns, c] > 0 ? sprintf("%.2fx", cpu[j, c] / cpu[ns, c]) : "-")
		for (j = 1; j <= 3 * ns; j++) printf " |"
		printf " <= 0.5x | %s |\n", (cpu[ns, c] > 0 && cpu[1, c] / cpu[ns, c] <= 0.5) ? "yes" : "no"
	}
	r1 = ""; r2 = ""
	for (i = 1; i <= nc; i++) {
		if (cs[i] ~ /^RSS after/ && r1 == "") r1 = cs[i]
		else if (cs[i] ~ /^RSS after/) r2 = cs[i]
	}
	if (r1 != "" && r2 != "") {
		printf "| RSS growth, %s -> %s | x |", substr(r1, 11), substr(r2, 11)
		for (j = 1; j <= ns; j++)
			printf " %s |", (med_of[j, r1] > 0 ? sprintf("%.2fx", med_of[j, r2] / med_of[j, r1]) : "-")
		for (j = 1; j < ns; j++) printf " |"
		for (j = 1; j <= 3 * ns; j++) printf " |"
		g = med_of[1, r1] > 0 ? med_of[1, r2] / med_of[1, r1] : 99
		printf " <= 1.10x | %s |\n", g <= 1.10 ? "yes" : "no"
	}
	printf "\nload average (1 min) when each server started:"
	for (j = 1; j <= ns; j++) {
		k = srv[j] SUBSEP "x"
		printf " %s %s (%s-%s);", srv[j], med(k, "load"), lo["load", k], hi["load", k]
	}
	printf "\n"
}
