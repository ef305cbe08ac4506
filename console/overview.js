// overview.js - what an operator checks each morning, each a count from the
// API's own listings (a count the user may not read says why instead).
import { count } from "./api.js";
import { h, failure } from "./dom.js";

const DAY = 86400 * 1000;

function iso(ms) {
	return new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
}

// A count of certificates (includeRevoked left out: revoked ones are not
// due) that links to the search listing them.
function certs(title, q) {
	return { title, href: `#/certificates/q=${encodeURIComponent(q)}`,
	    n: () => count("/Certificates", { "pq.queryString": q }) };
}

function figures(now) {
	return [
		certs("Issued in the last 24 h", `ImportDate -ge "${iso(now - DAY)}"`),
		{ title: "Pending approval", href: "#/pending",
		  n: () => count("/Workflow/Certificates/Pending", {}) },
		certs("Expiring in 30 days", `NotAfter -ge "${iso(now)}" AND ` +
		    `NotAfter -le "${iso(now + 30 * DAY)}"`),
		{ title: "Failed management jobs", href: "#/stores/failed",
		  n: () => count("/OrchestratorJobs/JobHistory",
		      { "pq.queryString": "Result -eq 3" }) },
	];
}

export async function render(main) {
	main.append(h("h1", {}, "Overview"));
	const cards = h("div", { class: "cards" });
	main.append(cards);
	await Promise.all(figures(Date.now()).map(async (f) => {
		const card = h("a", { class: "card", href: f.href },
		    h("span", { class: "n" }, "…"), f.title);
		cards.append(card);
		if (f.note) {
			card.firstChild.textContent = "—";
			card.append(h("p", { class: "hint" }, f.note));
			return;
		}
		try {
			card.firstChild.textContent = await f.n();
		} catch (e) {
			card.firstChild.textContent = "?";
			card.append(failure(e));
		}
	}));
}
