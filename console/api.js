// api.js - the console's one way to the server: the public Keyfactor API on
// the same origin.  fetch sends the login the browser already holds for this
// site (Basic auth it asked for when /console/ was opened, or a client
// certificate), so every action is checked against the user's own claims by
// the same endpoints curl and the SDKs use; the console keeps no password.
const BASE = "/KeyfactorAPI";

// What 401 and 403 mean to the person in front of the page.
const WHY = {
	401: "You are not logged in: the server did not accept a login " +
	    "for this request. Reload the page to log in again.",
	403: "Your user lacks the permission this needs. Ask an " +
	    "administrator for a role with the claim named here " +
	    "(certenroll role add NAME --claim CLAIM).",
};

export class ApiError extends Error {
	constructor(status, code, message) {
		super(message);
		this.status = status;
		this.code = code;
	}
	// The whole explanation: what it means, then the server's own words.
	explain() {
		const why = WHY[this.status];
		const head = this.status ? `${this.status}: ` : "";
		return why ? `${head}${why} ${this.message}` : head + this.message;
	}
}

function url(path, query) {
	const u = new URL(BASE + path, window.location.origin);
	for (const [k, v] of Object.entries(query || {}))
		if (v !== undefined && v !== null && v !== "")
			u.searchParams.set(k, String(v));
	return u;
}

// Calls one endpoint; resolves to its JSON (or null for an empty body),
// rejects with an ApiError carrying the API's own message.
export async function call(method, path, { query, body, headers } = {}) {
	const h = { "x-keyfactor-requested-with": "APIClient",
	    "accept": "application/json", ...(headers || {}) };
	const init = { method, headers: h, credentials: "same-origin",
	    cache: "no-store" };
	if (body !== undefined) {
		h["content-type"] = "application/json";
		init.body = JSON.stringify(body);
	}
	let r;
	try {
		r = await fetch(url(path, query), init);
	} catch (e) {
		throw new ApiError(0, "", `The server did not answer (${e.message}).`);
	}
	const text = await r.text();
	let data = null;
	try {
		data = text ? JSON.parse(text) : null;
	} catch (e) {
		data = null;
	}
	if (!r.ok) {
		const msg = data && typeof data.Message === "string" ?
		    data.Message : `${method} ${path} failed.`;
		throw new ApiError(r.status, data ? data.ErrorCode : "", msg);
	}
	return data;
}

// How many items a paged listing holds, counted a page at a time (the API
// has no count); stops at cap and says so with "+".
export async function count(path, query, cap = 5000) {
	const limit = 500;
	let n = 0;
	for (let page = 1; n < cap; page++) {
		const items = await call("GET", path, { query: { ...query,
		    ReturnLimit: limit, PageReturned: page } });
		n += items.length;
		if (items.length < limit)
			return String(n);
	}
	return `${cap}+`;
}
