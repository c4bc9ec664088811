// Bundled for the browser (npm run build): runs the headers scenario against
// the API named in ?api=, and writes the result into #result for the test.
import { withAppHeaders } from "./scenarios.js";

const api = new URLSearchParams(location.search).get("api");
const out = document.getElementById("result");
withAppHeaders(api)
  .then((result) => { out.textContent = JSON.stringify(result); out.dataset.state = "done"; })
  .catch((error) => { out.textContent = String(error); out.dataset.state = "error"; });
