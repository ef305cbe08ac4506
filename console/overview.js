// overview.js - what an operator checks each morning, each a count from the
// API's own listings (a count the user may not read says why instead).
import { call, count } from "./api.js";
import { h, failure } from "./dom.js";

const DAY = 86400 * 1000;

function iso(ms) {
	return new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");
}

// Certificates queries (includeRevoked left out: revoked ones are not due).
function certQuery(q) {
	return count("/Certificates", { "pq.queryString": q });
}

function figures(now) {
	return [
		{ title: "Issued in the last 24 h", href: "#/certificates",
		  n: () => certQuery(`ImportDate -ge "${iso(now - DAY)}"`) },
		{ title: "Pending approval", href: "#/pending",
		  n: () => count("/Workflow/Certificates/Pending", {}) },
		{ title: "Expiring in 30 days", href: "#/certificates",
		  n: () => certQuery(`NotAfter -ge "${iso(now)}" AND ` +
		      `NotAfter -le "${iso(now + 30 * DAY)}"`) },
		{ title: "Failed management jobs", href: "#/stores",
		  n: () => Promise.reject(new Error("Not served by the API yet: " +
		      "run certenroll job list on the server.")) },
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
		try {
			card.firstChild.textContent = await f.n();
		} catch (e) {
			card.firstChild.textContent = "?";
			card.append(failure(e));
		}
	}));
}
