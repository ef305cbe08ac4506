// pending.js - the approver's page: pending requests (and the denied ones),
// a request's details, approve or deny several at once with a comment, and
// the result of each.
import { call, count } from "./api.js";
import { h, add, clear, table, facts, pairs, shown, when, age, failure, say }
    from "./dom.js";

const WF = "/Workflow/Certificates";
const PAGE = 50;
const DENIED = 20;	/* the latest denied ones shown */

function subject(r) {
	return [h("strong", {}, shown(r.CommonName)), h("br"),
	    h("span", { class: "hint" }, shown(r.DistinguishedName))];
}

// The names a request asks for ({"dns": [...], "ip4": [...]}), one per line
// as "dns: www.example.com".
function sans(r) {
	const lines = [];
	for (const [kind, v] of Object.entries(r.SANs || {}))
		for (const name of [v].flat())
			lines.push(h("div", {}, `${kind}: ${shown(name)}`));
	return lines.length ? h("div", { class: "sans" }, lines) : "—";
}

// Details of one request, drawn into box.
async function details(box, id) {
	clear(box);
	try {
		const r = await call("GET", `${WF}/${id}`);
		add(box, [h("h2", { id: "detail-title", tabindex: "-1" },
		    `Request ${r.Id}`), facts([
			["State", r.StateString],
			["Common name", r.CommonName],
			["Subject", r.DistinguishedName],
			["Subject alternative names", sans(r)],
			["Template", r.Template],
			["Certificate authority", r.CertificateAuthority],
			["Requester", r.Requester],
			["Submitted", `${when(r.SubmissionDate)} (${age(r.SubmissionDate)} ago)`],
			["Metadata", pairs(r.Metadata)],
			["Comment", r.Comment],
			["Certificate", r.CertificateId ? h("a",
			    { href: `#/certificates/${r.CertificateId}` },
			    `certificate ${r.CertificateId}`) : null],
		])]);
		box.querySelector("h2").focus();
	} catch (e) {
		box.append(failure(e));
	}
}

// One line per request of an Approve or Deny answer.
async function results(box, verb, ans) {
	const lines = [];
	for (const p of ans.Successes || []) {
		let what = `${verb}.`;
		if (verb === "approved") {
			try {
				const r = await call("GET", `${WF}/${p.KeyfactorRequestId}`);
				if (r.CertificateId)
					what = h("span", {}, "approved: issued ", h("a",
					    { href: `#/certificates/${r.CertificateId}` },
					    `certificate ${r.CertificateId}`));
			} catch (e) { /* the approval stands; the link is a nicety */ }
		}
		lines.push([p.KeyfactorRequestId, "ok", what]);
	}
	for (const p of ans.Denials || [])
		lines.push([p.KeyfactorRequestId, "ok", `denied: ${shown(p.Comment)}`]);
	for (const p of ans.Failures || [])
		lines.push([p.KeyfactorRequestId, "error", `failed: ${shown(p.Comment)}`]);
	clear(box);
	box.append(h("h2", {}, "Result"), h("ul", { class: "plain results" },
	    lines.map(([id, kind, what]) => h("li", { class: `notice ${kind}`,
		"data-request": id }, `Request ${id} `, what))));
}

function pendingColumns(picked) {
	return [
		{ title: "Select", cell: (r) => h("input", { type: "checkbox",
		    value: r.Id, "aria-label": `Select request ${r.Id}`,
		    checked: picked.has(r.Id),
		    onchange: (ev) => ev.target.checked ? picked.add(r.Id) :
			picked.delete(r.Id) }) },
		{ title: "Request", cell: (r) => String(r.Id) },
		{ title: "Subject", cell: subject },
		{ title: "SANs", cell: sans },
		{ title: "Template", cell: (r) => shown(r.Template) },
		{ title: "Requester", cell: (r) => shown(r.Requester) },
		{ title: "Metadata", cell: (r) => pairs(r.Metadata) },
		{ title: "Age", cell: (r) => h("span", { title: when(r.SubmissionDate) },
		    age(r.SubmissionDate)) },
		{ title: "Details", cell: (r) => h("button", { type: "button",
		    "aria-label": `Details of request ${r.Id}`,
		    onclick: () => details(document.getElementById("detail"), r.Id) },
		    "Details") },
	];
}

const deniedColumns = [
	{ title: "Request", cell: (r) => String(r.Id) },
	{ title: "Subject", cell: subject },
	{ title: "Template", cell: (r) => shown(r.Template) },
	{ title: "Requester", cell: (r) => shown(r.Requester) },
	{ title: "Comment", cell: (r) => shown(r.Comment) },
	{ title: "Submitted", cell: (r) => when(r.SubmissionDate) },
];

// The action form under the list: approve or deny what is picked.
function actionForm(picked, reload) {
	const note = h("p", { role: "status", class: "notice" });
	const comment = h("textarea", { id: "deny-comment", name: "comment",
	    maxlength: 1000 });
	async function act(verb) {
		const ids = [...picked];
		if (ids.length === 0) {
			say(note, "Select at least one request first.");
			return;
		}
		try {
			const ans = verb === "approved" ?
			    await call("POST", `${WF}/Approve`, { body: ids }) :
			    await call("POST", `${WF}/Deny`, { body: {
				CertificateRequestIds: ids, Comment: comment.value } });
			picked.clear();
			clear(note);
			await reload();
			await results(document.getElementById("result"), verb, ans);
		} catch (e) {
			say(note, e.explain ? e.explain() : String(e));
		}
	}
	return h("form", { class: "act", onsubmit: (ev) => ev.preventDefault() },
	    h("div", { class: "actions" },
		h("button", { type: "button", class: "primary", id: "approve",
		    onclick: () => act("approved") }, "Approve selected"),
		h("div", {}, h("label", { for: "deny-comment" },
		    "Comment (sent with a denial)"), comment),
		h("button", { type: "button", class: "danger", id: "deny",
		    onclick: () => act("denied") }, "Deny selected")), note);
}

export async function render(main) {
	const picked = new Set();
	const list = h("section", { "aria-labelledby": "pending-h" });
	const denied = h("section", { "aria-labelledby": "denied-h" });
	let page = 1;
	async function reload() {
		const items = await call("GET", `${WF}/Pending`,
		    { query: { ReturnLimit: PAGE, PageReturned: page } });
		const all = h("input", { type: "checkbox", id: "pick-all",
		    onchange: (ev) => {
			for (const box of list.querySelectorAll("tbody input")) {
				box.checked = ev.target.checked;
				box.dispatchEvent(new Event("change"));
			}
		    } });
		add(clear(list), [h("h2", { id: "pending-h" }, "Pending"),
		    items.length ? h("p", {}, all, " ", h("label", { for: "pick-all",
			class: "inline" }, "Select all on this page")) : null,
		    table(`Pending requests, page ${page}`,
			pendingColumns(picked), items, "No request is waiting."),
		    h("div", { class: "actions" },
			h("button", { type: "button", disabled: page === 1,
			    onclick: () => { page--; reload(); } }, "Previous page"),
			h("button", { type: "button", disabled: items.length < PAGE,
			    onclick: () => { page++; reload(); } }, "Next page"))]);
		// the latest: the list runs oldest first, so its last page
		const n = parseInt(await count(`${WF}/Denied`, {}), 10);
		const no = await call("GET", `${WF}/Denied`, { query: {
		    ReturnLimit: DENIED, PageReturned: Math.max(1,
			Math.ceil(n / DENIED)) } });
		clear(denied).append(h("h2", { id: "denied-h" }, "Denied"),
		    table(`The latest denied requests (${n} in all)`, deniedColumns,
			no.reverse(), "No request was denied."));
	}
	main.append(h("h1", {}, "Pending approvals"));
	await reload();	/* a refusal shows under the title alone */
	main.append(list, actionForm(picked, reload),
	    h("section", { id: "result", "aria-live": "polite" }),
	    h("section", { id: "detail" }), denied);
}
