// stores.js - the certificate stores, one store's settings, its inventory
// and its management jobs; the failed jobs of every store.
import { call } from "./api.js";
import { h, add, table, facts, shown, when, failure } from "./dom.js";

// CertStoreType numbers as GET /CertificateStores answers them.
const TYPES = { 2: "PEM folder", 5: "PKCS#12 file" };
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

// Keyfactor's Status and Result of a job (GET /OrchestratorJobs/JobHistory).
const STATUS = { 1: "scheduled", 2: "running", 3: "completed" };
const RESULT = { 0: "—", 1: "succeeded", 2: "cancelled", 3: "failed" };

// The jobs of store id (or, without one, those that failed), newest last.
export function jobs(id) {
	const q = id ? `CertStoreId -eq "${id.replace(/["\\]/g, "")}"` :
	    "Result -eq 3";
	return call("GET", "/OrchestratorJobs/JobHistory", { query:
	    { "pq.queryString": q, ReturnLimit: 500 } });
}

export const jobColumns = [
	{ title: "Job", cell: (j) => shown(j.JobHistoryId) },
	{ title: "Operation", cell: (j) => `${shown(j.OperationType)} ${shown(j.Alias)}` },
	{ title: "Certificate", cell: (j) => j.CertificateId ? h("a",
	    { href: `#/certificates/${j.CertificateId}` }, String(j.CertificateId)) : "—" },
	{ title: "Status", cell: (j) => shown(STATUS[j.Status] || j.StatusString) },
	{ title: "Result", cell: (j) => shown(RESULT[j.Result]) },
	{ title: "Attempts", cell: (j) => shown(j.Attempts) },
	{ title: "Ended", cell: (j) => when(j.OperationEnd) },
	{ title: "Message", cell: (j) => shown(j.Message) },
];

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
	const jobsec = h("section", { "aria-labelledby": "jobs-h" },
	    h("h2", { id: "jobs-h" }, "Management jobs"));
	main.append(inv, jobsec);
	try {
		const items = await call("GET",
		    `/CertificateStores/${encodeURIComponent(s.Id)}/Inventory`);
		const rows = items.flatMap((i) => (i.Certificates || []).map(
		    (c) => ({ alias: i.Name, c })));
		inv.append(h("p", { class: "hint" }, "What the store held when the " +
		    "agent last looked (after each job)."),
		    table("Certificates in this store", [
			{ title: "Alias", cell: (x) => shown(x.alias) },
			{ title: "Certificate", cell: (x) => x.c.Id ? h("a",
			    { href: `#/certificates/${x.c.Id}` }, shown(x.c.IssuedDN)) :
			    `not issued here (${shown(x.c.Thumbprint)})` },
			{ title: "Expires", cell: (x) => when(x.c.NotAfter) },
		    ], rows, "The store holds no certificate."));
	} catch (e) {
		inv.append(failure(e));
	}
	try {
		jobsec.append(table("Management jobs of this store", jobColumns,
		    await jobs(s.Id), "No job has been scheduled for this store."));
	} catch (e) {
		jobsec.append(failure(e));
	}
}

async function failed(main) {
	main.append(h("p", {}, h("a", { href: "#/stores" }, "← All stores")),
	    h("h1", {}, "Failed management jobs"));
	main.append(table("Failed management jobs", jobColumns, await jobs(null),
	    "No management job has failed."));
}

export async function render(main, id) {
	if (id === "failed")
		return failed(main);
	if (id)
		return detail(main, id);
	main.append(h("h1", {}, "Certificate stores"));
	const items = await call("GET", "/CertificateStores", { query:
	    { ReturnLimit: 200 } });
	main.append(table("Certificate stores (the first 200)", columns, items,
	    "No certificate store is set up."));
}
