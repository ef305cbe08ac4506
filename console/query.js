// query.js - the search form's fields as Keyfactor's query language
// (lib/http/query.h): each filled field one term, all joined by AND, the
// free text (parenthesised) too.

// A quoted value: backslash and double quote escaped, as query.h reads them.
export function quote(v) {
	return `"${String(v).replace(/[\\"]/g, (c) => "\\" + c)}"`;
}

// The fields of the form: [name, label, term(value)].
export const FIELDS = [
	["cn", "Common name contains", (v) => `IssuedCN -contains ${quote(v)}`],
	["template", "Template", (v) => `TemplateName -eq ${quote(v)}`],
	["ca", "Certificate authority", (v) => `CA -contains ${quote(v)}`],
	["requester", "Requester", (v) => `RequesterName -eq ${quote(v)}`],
	["serial", "Serial number", (v) => `SerialNumber -eq ${quote(v)}`],
	["expires", "Expires before (date)", (v) => `NotAfter -lt ${v}`],
];

// values: {name: text}; free: the rest in the query language.
export function build(values, free) {
	const terms = [];
	for (const [name, , term] of FIELDS) {
		const v = (values[name] || "").trim();
		if (v !== "")
			terms.push(term(v));
	}
	if ((free || "").trim() !== "")
		terms.push(terms.length ? `(${free.trim()})` : free.trim());
	return terms.join(" AND ");
}
