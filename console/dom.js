// dom.js - builds the page from data.  Every value that comes from a
// certificate, a request or a store goes in as text (text nodes and
// setAttribute), never through an HTML parser: a subject holding <script>
// shows as those characters.  No innerHTML anywhere in the console (a test
// greps for it).

// h("td", {class: "x"}, child, "text", [more]) -> an element.  Functions are
// listeners (onclick); any other "on..." attribute is refused, so no data
// can become an inline handler.
export function h(tag, attrs, ...kids) {
	const el = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (typeof v === "function" && k.startsWith("on"))
			el.addEventListener(k.slice(2), v);
		else if (k.toLowerCase().startsWith("on"))
			throw new Error(`h: refusing attribute ${k}`);
		else if (v === true)
			el.setAttribute(k, "");
		else if (v !== undefined && v !== null && v !== false)
			el.setAttribute(k, String(v));
	}
	add(el, kids);
	return el;
}

export function add(el, kids) {
	for (const k of [kids].flat(Infinity)) {
		if (k === undefined || k === null || k === false)
			continue;
		el.append(k instanceof Node ? k : document.createTextNode(String(k)));
	}
	return el;
}

export function clear(el) {
	el.replaceChildren();
	return el;
}

// A value as the reader sees it; absent ones as a dash.
export function shown(v) {
	if (v === undefined || v === null || v === "")
		return "—";
	return String(v);
}

export function when(iso) {
	if (!iso)
		return "—";
	const d = new Date(iso);
	return isNaN(d) ? String(iso) : d.toISOString().replace("T", " ")
	    .replace(/\.\d+Z$/, "Z");
}

// How long ago iso was, in the largest whole unit.
export function age(iso, now = Date.now()) {
	const s = Math.max(0, (now - new Date(iso).getTime()) / 1000);
	if (isNaN(s))
		return "—";
	if (s < 3600)
		return `${Math.floor(s / 60)} min`;
	if (s < 86400)
		return `${Math.floor(s / 3600)} h`;
	return `${Math.floor(s / 86400)} d`;
}

// A table: columns [{title, cell: item -> node or text}], one row per item.
export function table(caption, columns, items, empty = "Nothing to show.") {
	if (items.length === 0)
		return h("p", { class: "empty" }, empty);
	return h("div", { class: "scroll" }, h("table", {},
	    h("caption", {}, caption),
	    h("thead", {}, h("tr", {}, columns.map((c) =>
		h("th", { scope: "col" }, c.title)))),
	    h("tbody", {}, items.map((it) => h("tr", {}, columns.map((c) =>
		h("td", { "data-label": c.title }, c.cell(it))))))));
}

// A definition list of [term, value] pairs.
export function facts(pairs) {
	return h("dl", { class: "facts" }, pairs.map(([k, v]) =>
	    [h("dt", {}, k), h("dd", {}, v instanceof Node ? v : shown(v))]));
}

// {k: v} as "k: v" lines.
export function pairs(obj) {
	const keys = Object.keys(obj || {});
	if (keys.length === 0)
		return "—";
	return h("ul", { class: "plain" }, keys.map((k) =>
	    h("li", {}, `${k}: ${shown(obj[k])}`)));
}

// An error or success line in the page's live region.
export function say(el, text, kind = "error") {
	clear(el);
	el.className = `notice ${kind}`;
	el.append(text);
	return el;
}

// A notice box for an ApiError (or any error).
export function failure(e) {
	const text = typeof e.explain === "function" ? e.explain() : String(e.message || e);
	return h("p", { class: "notice error", role: "alert" }, text);
}

// Saves bytes under name through the browser's own download.
export function download(name, bytes, type) {
	const a = h("a", { href: URL.createObjectURL(new Blob([bytes], { type })),
	    download: name, hidden: true });
	document.body.append(a);
	a.click();
	setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
}
