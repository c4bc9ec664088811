// node src/node.js SCENARIO URL [ARGS]: runs one scenario and prints its result
// as one JSON line. "paginate" prints {"waiting": true} after the first page and
// reads a line from stdin before going on (the test loads content meanwhile).
import readline from "node:readline";
import { paginate, validationError, withAppHeaders } from "./scenarios.js";

const [scenario, uri, size] = process.argv.slice(2);

async function nextLine() {
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) { lines.close(); return line; }
  return "";
}

let result;
if (scenario === "validation") result = await validationError(uri);
else if (scenario === "headers") result = await withAppHeaders(uri);
else if (scenario === "paginate") {
  result = await paginate(uri, Number(size || 2), async () => {
    console.log(JSON.stringify({ waiting: true }));
    await nextLine();
  });
} else throw new Error(`unknown scenario ${scenario}`);
console.log(JSON.stringify(result));
