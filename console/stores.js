// stores.js - the certificate stores, one store's settings and what the
// certificates' recorded locations say it holds.
import { call } from "./api.js";
import { h, add, table, facts, shown, when, failure } from "./dom.js";

// CertStoreType numbers as GET /CertificateStores answers them.
const TYPES = { 2: "PEM folder", 5: "PKCS#12 file" };
// The inventory is read from the certificates' Locations, a page at a time,
// up to this many certificates (the API has no per-store inventory).
const SCAN = 2000;

function typeName(s) {
	return TYPES[s.CertStoreType] !== undefined ? TYPES[s.CertStoreType] :
	    `type ${s.CertStoreType}`;
}

const columns = [
	{ title: "Store", cell: (s) => h("a", { href: `#/stores/${s.Id}` },
	    shown(s.DisplayName || s.Storepath)) },
	{ title: "Machine", cell: (s) => shown(s.ClientMachine) },
	{ title: "Type", cell: typeName },
	{ title: "Container", cell: (s) => shown(s.ContainerName || s.ContainerId) },
	{ title: "Path", cell: (s) => shown(s.Storepath) },
];

// The certificates whose locations name store id, with their aliases.
async function inventory(id) {
	const found = [];
	const limit = 500;
	for (let page = 1; page <= SCAN / limit; page++) {
		const certs = await call("GET", "/Certificates", { query: {
		    includeLocations: "true", ReturnLimit: limit, PageReturned: page } });
		for (const c of certs)
			for (const l of c.Locations || [])
				if (l.CertStoreId === id)
					found.push({ c, alias: l.Alias });
		if (certs.length < limit)
			break;
	}
	return found;
}

async function detail(main, id) {
	const s = await call("GET", `/CertificateStores/${encodeURIComponent(id)}`);
	add(main, [h("p", {}, h("a", { href: "#/stores" }, "← All stores")),
	    h("h1", {}, `Store ${shown(s.DisplayName || s.Storepath)}`), facts([
		["Id", s.Id],
		["Machine", s.ClientMachine],
		["Path", s.Storepath],
		["Type", typeName(s)],
		["Container", s.ContainerName || s.ContainerId],
		["Created if missing", s.CreateIfMissing ? "yes" : "no"],
		["Properties", s.Properties],
	])]);
	const inv = h("section", { "aria-labelledby": "inv-h" },
	    h("h2", { id: "inv-h" }, "Inventory"));
	main.append(inv, h("h2", {}, "Management jobs"), h("p",
	    { class: "notice info" }, "The API does not serve management jobs " +
	    "and their results yet: run certenroll job list on the server."));
	try {
		const items = await inventory(s.Id);
		inv.append(h("p", { class: "hint" }, "From the certificates' recorded " +
		    `locations (the first ${SCAN} certificates, revoked ones left out).`),
		    table("Certificates in this store", [
			{ title: "Alias", cell: (x) => shown(x.alias) },
			{ title: "Certificate", cell: (x) => h("a",
			    { href: `#/certificates/${x.c.Id}` }, shown(x.c.IssuedCN)) },
			{ title: "Expires", cell: (x) => when(x.c.NotAfter) },
		    ], items, "No certificate is recorded in this store."));
	} catch (e) {
		inv.append(failure(e));
	}
}

export async function render(main, id) {
	if (id)
		return detail(main, id);
	main.append(h("h1", {}, "Certificate stores"));
	const items = await call("GET", "/CertificateStores", { query:
	    { ReturnLimit: 200 } });
	main.append(table("Certificate stores (the first 200)", columns, items,
	    "No certificate store is set up."));
}
