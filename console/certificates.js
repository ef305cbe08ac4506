// certificates.js - search (the form's fields and free text in the query
// language), paging, a certificate's details, download of it and its chain,
// and revocation.
import { call } from "./api.js";
import { h, add, clear, table, facts, pairs, shown, when, failure, say,
    download } from "./dom.js";
import { FIELDS, build } from "./query.js";

const PAGE = 25;
// Keyfactor's SubjectAltNameElements type numbers (lib/pki/san.c).
const SAN_TYPES = { 0: "other", 1: "email", 2: "DNS", 4: "directory",
    6: "URI", 7: "IP", 8: "registered ID", 100: "UPN" };
// RFC 5280 reasons as POST /Certificates/Revoke takes them.
const REASONS = [[0, "Unspecified"], [1, "Key compromise"], [2, "CA compromise"],
    [3, "Affiliation changed"], [4, "Superseded"],
    [5, "Cessation of operation"], [6, "Certificate hold"]];

// What the search form last held, kept while the console is open.
const state = { values: {}, free: "", revoked: false, page: 1 };

function field(name, label, value, type = "text") {
	return h("div", {}, h("label", { for: `f-${name}` }, label),
	    h("input", { type, id: `f-${name}`, name, value: value || "" }));
}

const columns = [
	{ title: "Id", cell: (c) => h("a", { href: `#/certificates/${c.Id}` },
	    String(c.Id)) },
	{ title: "Common name", cell: (c) => shown(c.IssuedCN) },
	{ title: "Subject", cell: (c) => shown(c.IssuedDN) },
	{ title: "Expires", cell: (c) => when(c.NotAfter) },
	{ title: "Template", cell: (c) => shown(c.TemplateName) },
	{ title: "CA", cell: (c) => shown(c.CertificateAuthorityName) },
	{ title: "State", cell: (c) => h("span", { class: c.CertState === 2 ?
	    "revoked" : "" }, shown(c.CertStateString)) },
];

// One page of what the form asks for.
function find() {
	return call("GET", "/Certificates", { query: {
	    "pq.queryString": build(state.values, state.free), ReturnLimit: PAGE,
	    PageReturned: state.page, includeRevoked: state.revoked ? "true" : "" } });
}

// Draws the listing into out: items if given (already fetched), else
// fetched now; a failure is shown in their place.
async function search(out, items) {
	const q = build(state.values, state.free);
	clear(out).append(h("p", { class: "hint" }, "Query: ",
	    h("span", { class: "query" }, q || "(everything)")));
	try {
		items = items || await find();
	} catch (e) {
		out.append(failure(e));
		return;
	}
	const go = (d) => () => { state.page += d; search(out); };
	out.append(table(`Certificates, page ${state.page}`, columns, items,
	    "No certificate matches."), h("div", { class: "actions" },
	    h("button", { type: "button", disabled: state.page === 1,
		onclick: go(-1) }, "Previous page"),
	    h("button", { type: "button", disabled: items.length < PAGE,
		onclick: go(1) }, "Next page")));
}

function searchForm(out) {
	const free = h("input", { type: "text", id: "f-free", name: "free",
	    class: "query", value: state.free,
	    placeholder: 'e.g. Metadata.Owner -eq "ops@example.com"' });
	const rev = h("input", { type: "checkbox", id: "f-revoked",
	    checked: state.revoked });
	const form = h("form", { role: "search", onsubmit: (ev) => {
		ev.preventDefault();
		for (const [name] of FIELDS)
			state.values[name] = form.elements[name].value;
		state.free = free.value;
		state.revoked = rev.checked;
		state.page = 1;
		search(out);
	} }, h("fieldset", {}, h("legend", {}, "Search certificates"),
	    h("div", { class: "grid" }, FIELDS.map(([name, label]) =>
		field(name, label, state.values[name], name === "expires" ?
		    "date" : "text"))),
	    h("div", {}, h("label", { for: "f-free" },
		"More conditions in the query language (joined with AND)"), free),
	    h("div", { class: "actions" }, h("span", {}, rev, " ",
		h("label", { for: "f-revoked", class: "inline" },
		    "Include revoked certificates")),
		h("button", { type: "submit", class: "primary", id: "search" },
		    "Search"))));
	return form;
}

function sans(c) {
	const list = c.SubjectAltNameElements || [];
	if (list.length === 0)
		return "—";
	return h("ul", { class: "plain" }, list.map((s) =>
	    h("li", {}, `${SAN_TYPES[s.Type] || s.Type}: ${shown(s.Value)}`)));
}

// The curves certenroll issues for, by the OID the API names them with.
const CURVES = { "1.2.840.10045.3.1.7": "P-256", "1.3.132.0.34": "P-384",
    "1.3.132.0.35": "P-521" };

function key(c) {
	return [c.KeyTypeString, c.KeySizeInBits ? `${c.KeySizeInBits} bits` : "",
	    CURVES[c.Curve] || c.Curve].filter(Boolean).join(", ");
}

function revocation(c) {
	if (c.CertState !== 2)
		return "Active";
	const r = REASONS.find(([n]) => n === c.RevocationReason);
	return h("span", { class: "revoked" }, `Revoked ${when(c.RevocationEffDate)}` +
	    ` (${r ? r[1] : c.RevocationReason}): ${shown(c.RevocationComment)}`);
}

function locations(c) {
	return table("Where it is deployed", [
		{ title: "Store", cell: (l) => h("a", { href: `#/stores/${l.CertStoreId}` },
		    shown(l.StorePath)) },
		{ title: "Machine", cell: (l) => shown(l.StoreMachine) },
		{ title: "Alias", cell: (l) => shown(l.Alias) },
	], c.Locations || [], "In no certificate store.");
}

// Download buttons: PEM (with the chain), DER, PKCS#7.
function downloads(c) {
	const note = h("p", { role: "status", class: "notice" });
	const get = (fmt, ext, type) => async () => {
		try {
			const ans = await call("POST", "/Certificates/Download", {
			    headers: { "x-certificateformat": fmt },
			    body: { CertID: c.Id, IncludeChain: fmt !== "DER",
				ChainOrder: "EndEntityFirst" } });
			const bytes = Uint8Array.from(atob(ans.Content), (ch) =>
			    ch.charCodeAt(0));
			download(`certificate-${c.Id}.${ext}`, bytes, type);
		} catch (e) {
			say(note, e.explain ? e.explain() : String(e));
		}
	};
	return [h("div", { class: "actions" },
	    h("button", { type: "button", onclick: get("PEM", "pem",
		"application/x-pem-file") }, "Download PEM with chain"),
	    h("button", { type: "button", onclick: get("DER", "cer",
		"application/pkix-cert") }, "Download DER"),
	    h("button", { type: "button", onclick: get("P7B", "p7b",
		"application/pkcs7-mime") }, "Download P7B with chain")), note];
}

function revokeForm(c, redraw) {
	const note = h("p", { role: "status", class: "notice" });
	const reason = h("select", { id: "r-reason" }, REASONS.map(([n, t]) =>
	    h("option", { value: n }, t)));
	const comment = h("input", { type: "text", id: "r-comment", required: true,
	    maxlength: 1000 });
	return h("form", { onsubmit: async (ev) => {
		ev.preventDefault();
		try {
			await call("POST", "/Certificates/Revoke", { body: {
			    CertificateIds: [c.Id], Reason: Number(reason.value),
			    Comment: comment.value } });
			await redraw();
		} catch (e) {
			say(note, e.explain ? e.explain() : String(e));
		}
	} }, h("fieldset", {}, h("legend", {}, "Revoke"), h("div", { class: "grid" },
	    h("div", {}, h("label", { for: "r-reason" }, "Reason"), reason),
	    h("div", {}, h("label", { for: "r-comment" }, "Comment (required)"),
		comment)),
	    h("div", { class: "actions" }, h("button", { type: "submit",
		class: "danger", id: "revoke" }, "Revoke this certificate")), note));
}

async function detail(main, id) {
	const c = await call("GET", `/Certificates/${encodeURIComponent(id)}`,
	    { query: { includeLocations: "true", includeMetadata: "true" } });
	add(clear(main), [h("p", {}, h("a", { href: "#/certificates" },
	    "← Back to the search")), h("h1", {}, `Certificate ${c.Id}`), facts([
		["Subject", c.IssuedDN],
		["Common name", c.IssuedCN],
		["Alternative names", sans(c)],
		["Valid from", when(c.NotBefore)],
		["Valid until", when(c.NotAfter)],
		["Key", key(c)],
		["Template", c.TemplateName],
		["Certificate authority", c.CertificateAuthorityName],
		["Issuer", c.IssuerDN],
		["Serial number", c.SerialNumber],
		["Thumbprint", c.Thumbprint],
		["Requester", c.RequesterName],
		["Request", c.CertRequestId],
		["Metadata", pairs(c.Metadata)],
		["State", revocation(c)],
	]), h("h2", {}, "Locations"), locations(c), h("h2", {}, "Download"),
	    downloads(c), c.CertState === 2 ? null :
	    revokeForm(c, () => detail(main, id))]);
}

// #/certificates/q=QUERY (the overview's links): a search for QUERY alone.
export async function render(main, arg) {
	if (arg.startsWith("q=")) {
		Object.assign(state, { values: {}, free: arg.slice(2), page: 1 });
		arg = "";
	}
	if (arg)
		return detail(main, arg);
	const out = h("section", { id: "results", "aria-live": "polite" });
	main.append(h("h1", {}, "Certificates"));
	// a refusal (403) shows under the title alone, a bad query in the form
	let items = null;
	try {
		items = await find();
	} catch (e) {
		if (e.status === 401 || e.status === 403)
			throw e;
	}
	main.append(searchForm(out), out);
	await search(out, items);
}
