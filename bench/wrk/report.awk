# Turns bench/run.sh's results (tab-separated: case, target, connections,
# round, then wrk's "key=value ..." result line) into Markdown tables:
# medians over rounds, and for cases with a baseline the median of the
# per-round ratios of requests per second.

function median(a, n,    i, j, t, b) {
	for (i = 1; i <= n; i++) b[i] = a[i]
	for (i = 2; i <= n; i++) {
		t = b[i]
		for (j = i - 1; j >= 1 && b[j] > t; j--) b[j + 1] = b[j]
		b[j + 1] = t
	}
	if (n % 2) return b[(n + 1) / 2]
	return (b[n / 2] + b[n / 2 + 1]) / 2
}

function ms(us) { return sprintf("%.2f", us / 1000) }

BEGIN {
	title["redirect"] = "Signed URL, redirect, warm cache | bare Echo 302"
	title["nolog"] = "Signed URL, redirect, warm cache, access log off (--log-level warn) | bare Echo 302"
	title["proxy"] = "Signed URL, proxy, 100 KB preview | httputil.ReverseProxy"
	title["nginx"] = "Signed URL, redirect, warm cache | nginx secure_link 302, access log on"
	title["nginxnolog"] = "Signed URL, redirect, warm cache, access log off (--log-level warn) | nginx secure_link 302, access log off"
	title["embed"] = "GET /v1/embed, warm cache | none"
	title["resolve"] = "POST /v1/resolve, 50 items, warm cache | none"
	goal["redirect"] = 0.80
	goal["nolog"] = 0.85
	goal["proxy"] = 0.80
	p99goal["redirect"] = 1.5
	order[1] = "redirect"; order[2] = "nolog"; order[3] = "nginx"; order[4] = "nginxnolog"
	order[5] = "proxy"; order[6] = "embed"; order[7] = "resolve"; norder = 7
}

{
	k = $1 SUBSEP $3
	if (!(k in seen)) { seen[k] = 1; keys[++nkeys] = k }
	if (!(($1) in cseen)) { cseen[$1] = 1 }
	split($5, kv, " ")
	for (i in kv) { split(kv[i], p, "="); v[p[1]] = p[2] }
	t = $2
	n = ++cnt[k, t]
	rps[k, t, n] = v["rps"]; p50[k, t, n] = v["p50_us"]; p99[k, t, n] = v["p99_us"]; cpu[k, t, n] = v["cpu_us"]
	rnd[k, t, $4] = v["rps"]
}

END {
	print "| Case | Baseline | Conns | fotoembed req/s | baseline req/s | ratio (goal) | fotoembed p50 / p99 ms | baseline p50 / p99 ms | CPU µs/req fotoembed / baseline |"
	print "|---|---|---:|---:|---:|---:|---:|---:|---:|"
	for (o = 1; o <= norder; o++) {
		c = order[o]
		for (q = 1; q <= nkeys; q++) {
			split(keys[q], kk, SUBSEP)
			if (kk[1] != c) continue
			k = keys[q]
			nt = cnt[k, "fotoembed"]; nb = cnt[k, "baseline"]
			for (i = 1; i <= nt; i++) { a1[i] = rps[k, "fotoembed", i]; a2[i] = p50[k, "fotoembed", i]; a3[i] = p99[k, "fotoembed", i]; a4[i] = cpu[k, "fotoembed", i] }
			trps = median(a1, nt); tp50 = median(a2, nt); tp99 = median(a3, nt); tcpu = median(a4, nt)
			split(title[c], tt, " \\| ")
			line = sprintf("| %s | %s | %s | %.0f", tt[1], tt[2], kk[2], trps)
			if (nb > 0) {
				for (i = 1; i <= nb; i++) { b1[i] = rps[k, "baseline", i]; b2[i] = p50[k, "baseline", i]; b3[i] = p99[k, "baseline", i]; b4[i] = cpu[k, "baseline", i] }
				brps = median(b1, nb); bp50 = median(b2, nb); bp99 = median(b3, nb); bcpu = median(b4, nb)
				nr = 0
				for (r = 1; r <= nt; r++) if ((k, "baseline", r) in rnd && rnd[k, "baseline", r] > 0) ratios[++nr] = rnd[k, "fotoembed", r] / rnd[k, "baseline", r]
				ratio = median(ratios, nr)
				if (c in goal) rgoal = sprintf(" (≥ %.2fx %s)", goal[c], (ratio >= goal[c]) ? "met" : "missed")
				else rgoal = " (anchor)"
				line = line sprintf(" | %.0f | %.2fx%s | %s / %s | %s / %s | %.1f / %.1f |", brps, ratio, rgoal, ms(tp50), ms(tp99), ms(bp50), ms(bp99), tcpu, bcpu)
				if ((c in p99goal) && bp99 > 0) p99goals = p99goals sprintf(" At %s connections the signed redirect's p99 is %.2fx bare Echo's (goal ≤ %.1fx: %s).", kk[2], tp99 / bp99, p99goal[c], (tp99 <= p99goal[c] * bp99) ? "met" : "missed")
			} else {
				line = line sprintf(" | – | – | %s / %s | – | %.1f / – |", ms(tp50), ms(tp99), tcpu)
			}
			print line
			if (c == "redirect" && kk[2] == 64) p99note = sprintf("Signed redirect p99 at 64 connections: %s ms (goal < 5 ms: %s).", ms(tp99), (tp99 < 5000) ? "met" : "missed")
			if (c == "nolog" && kk[2] == 64) p99note = p99note sprintf(" Without the access log: %s ms.", ms(tp99))
		}
	}
	if (p99note != "" || p99goals != "") { print ""; print p99note p99goals }
}
