// app.js - the router: one page per #/name, drawn into <main>.  Each page
// module exports render(main, arg) and draws from the API's answers only.
import { h, failure } from "./dom.js";
import * as overview from "./overview.js";
import * as pending from "./pending.js";
import * as certificates from "./certificates.js";
import * as stores from "./stores.js";

const PAGES = { overview, pending, certificates, stores };

// "#/certificates/12" -> ["certificates", "12"]
function route() {
	const parts = window.location.hash.replace(/^#\/?/, "").split("/");
	const name = PAGES[parts[0]] ? parts[0] : "overview";
	return [name, parts.slice(1).map(decodeURIComponent).join("/")];
}

let latest = 0;

// Draws the page the hash names into a fresh element and puts it in <main>
// once done, unless another navigation began meanwhile.
async function show() {
	const main = document.getElementById("main");
	const [name, arg] = route();
	const gen = ++latest;
	for (const a of document.querySelectorAll("nav a"))
		if (a.getAttribute("href") === `#/${name}`)
			a.setAttribute("aria-current", "page");
		else
			a.removeAttribute("aria-current");
	main.setAttribute("aria-busy", "true");
	delete main.dataset.shown;
	const page = h("div", { class: "page" });
	try {
		await PAGES[name].render(page, arg);
	} catch (e) {
		page.append(failure(e));
	}
	if (gen !== latest)
		return;
	main.replaceChildren(page);
	main.removeAttribute("aria-busy");
	// what is drawn, for the tests and scripts that wait for a page
	main.dataset.shown = arg ? `${name}/${arg}` : name;
	document.title = `${page.querySelector("h1")?.textContent || "console"} — certenroll`;
}

window.addEventListener("hashchange", show);
window.addEventListener("DOMContentLoaded", show);
